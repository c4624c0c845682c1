"""A population of phantom spines for the spine model's level check (used by spine-accuracy.py
--population N). Each seed draws one case: the anatomy (`--anatomy-seed`: vertebra sizes, lordosis,
rib and lumbosacral variants from assets/phantom/population.json), a quarter of them operated or
degenerated, a third with the field of view cut somewhere, some with thick slices or on T2 MR.
The case is segmented and judged against its truth: levels by position (each vertebra found is
named as the truth vertebra nearest to its body centre), centroids, volumes (labels.nii.gz) and
ganglia."""
import gzip
import json
import math
import os
import random
import struct
import subprocess
import time

OPERATIONS = [
    ["--laminectomy", "L4"], ["--laminectomy", "L3,L4"], ["--laminectomy", "L5"],
    ["--fusion", "L4-S1"], ["--fusion", "L4-L5"], ["--fusion", "L5-S1"], ["--fusion", "L3-L5"],
    ["--fusion", "L4-S1", "--cage", "L4-L5,L5-S1"], ["--fusion", "L5-S1", "--cage", "L5-S1"],
    ["--disc-collapse", "L4-L5"], ["--disc-collapse", "L5-S1"], ["--disc-collapse", "L3-L4,L4-L5"],
    ["--spondylolisthesis", "L4:6"], ["--spondylolisthesis", "L5:9"], ["--spondylolisthesis", "L4:12"],
    ["--cement", "L1"], ["--cement", "T12,L2"],
]
# fields of view cut somewhere: without ribs, without the sacrum, or without either
FIELDS = ["T12-S1", "L1-S1", "L2-S1", "T10-L5", "T11-L4", "T10-L3", "L1-L5", "T12-L4", "L2-L5"]


def draw_case(seed):
    """The phantom's options for one seed, and a few words naming its variant."""
    rng = random.Random(seed)
    args = ["--anatomy-seed", str(seed), "--seed", str(seed)]
    words = []
    r = rng.random()
    if r < 0.7:
        args += ["--matrix", "256,256,200", "--spacing", "1.6,1.6,2"]
    elif r < 0.9:
        args += ["--matrix", "320,320,134", "--spacing", "1.25,1.25,3"]
        words.append("3 mm")
    else:
        args += ["--matrix", "256,256,200", "--spacing", "1.6,1.6,2", "--contrast", "t2"]
        words.append("T2")
    if rng.random() < 0.25:
        op = rng.choice(OPERATIONS)
        args += op
        words.append("operated" if any(o in op for o in ("--laminectomy", "--fusion", "--cement"))
                     else "degenerated")
    if rng.random() < 0.33:
        levels = rng.choice(FIELDS)
        args += ["--levels", levels, "--fov-margin", str(rng.randint(-10, 15))]
        words.append("cut " + levels)
    return args, words


def label_volumes(path):
    """Volume (ml) of each label value in a NIfTI label map (uint8)."""
    data = gzip.open(path).read()
    offset = int(struct.unpack("<f", data[108:112])[0])
    dx, dy, dz = struct.unpack("<3f", data[80:92])
    voxels = data[offset:]
    ml = dx * dy * dz / 1000.0
    return {v: voxels.count(bytes([v])) * ml for v in range(1, 20)}


def level_gap(a, b):
    """Levels between two thoracic names (T12 and T13 one apart)."""
    return abs(int(a[1:]) - int(b[1:]))


def dist(a, b):
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def judge(folder, model, truth):
    """Levels, status and errors of one segmented case."""
    visible = [v for v in truth["vertebrae"] if v["visibility"] != "none"]
    truth_by_level = {v["level"]: v for v in visible}
    volumes = label_volumes(os.path.join(folder, "labels.nii.gz"))
    # thoracic names one level off are what the model says it assumes (twelve rib pairs) only on a
    # spine whose rib count is not twelve
    options = truth["options"]
    said_thoracic = bool(model["level_check"].get("thoracic_names")) and (
        options["transitional"] == "T13" or options["twelfth_rib"] == "absent")
    wrong, thoracic_off, centroid, volume_off = [], [], [], []
    for v in model["vertebrae"]:
        nearest = min(visible, key=lambda t: dist(t["body_centre"], v["body_centre"]))
        if nearest["level"] != v["level"]:
            # a thoracic vertebra named as a thoracic one, off by the rib count the model says it
            # assumes (thoracic_names): said, not a confident wrong name
            said = said_thoracic and nearest["level"][0] == "T" and v["level"][0] == "T" and \
                level_gap(nearest["level"], v["level"]) == 1
            (thoracic_off if said else wrong).append(f"{nearest['level']} named {v['level']}")
            continue
        if v["level"] == "sacrum" or nearest["visibility"] != "full" or not v.get("complete", True):
            continue
        centroid.append(dist(v["centroid"], nearest["centroid"]))
        true_ml = volumes.get(nearest["label"], 0.0)
        if true_ml > 0 and abs(v["volume_ml"] - true_ml) > 0.3 * true_ml:
            volume_off.append(f"{v['level']} {v['volume_ml']:.0f}/{true_ml:.0f} ml")
    ganglia = []
    model_g = {(g["level"], g["side"]): g for g in model["ganglia"]}
    renamed = {w.split(" named ")[1] for w in thoracic_off} | {w.split(" named ")[0] for w in thoracic_off}
    for g in truth["ganglia"]:
        m = model_g.get((g["level"], g["side"]))
        if g["in_field_of_view"] and m and g["level"] in truth_by_level and g["level"] not in renamed:
            ganglia.append(dist(m["centre"], g["centre"]))
    return {"status": model["level_check"]["status"], "wrong": wrong, "thoracic_off": thoracic_off,
            "centroid": centroid,
            "volume_off": volume_off, "ganglia": ganglia,
            "warnings": model.get("warnings", [])}


def anchors_in_view(truth):
    """The level anchors the case's image holds: the sacrum (S1 whole, with sacral bone below it)
    and the lowest ribs (the lowest rib-bearing vertebra whole)."""
    by_level = {v["level"]: v for v in truth["vertebrae"]}
    anchors = []
    if by_level.get("S1", {}).get("visibility") == "full" and \
            by_level.get("sacrum", {}).get("visibility", "none") != "none":
        anchors.append("sacrum")
    rib_bearing = [v for v in truth["vertebrae"] if v["has_ribs"]]
    if rib_bearing and rib_bearing[-1]["visibility"] == "full":
        anchors.append("ribs")
    return anchors


def run_case(seed, cli, work):
    args, words = draw_case(seed)
    folder = os.path.join(work, f"seed-{seed}")
    r = subprocess.run([cli, "phantom", "--quiet", "--out", folder] + args, capture_output=True, text=True)
    if r.returncode != 0 and "is not a disc of this phantom" in r.stdout + r.stderr:
        # the seed drew a sixth lumbar vertebra: the two lowest discs are L5-L6 and L6-S1
        args = [a.replace("L5-S1", "L6-S1").replace("L4-L5", "L5-L6") if a[:2] in ("L4", "L5") else a
                for a in args]
        r = subprocess.run([cli, "phantom", "--quiet", "--out", folder] + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"seed {seed}: phantom refused: {(r.stdout + r.stderr).strip()}")
    start = time.time()
    r = subprocess.run([cli, "segment", "--quiet", os.path.join(folder, "dicom"), "--out",
                        os.path.join(folder, "seg")], capture_output=True, text=True)
    seconds = time.time() - start
    with open(os.path.join(folder, "truth.json")) as f:
        truth = json.load(f)
    drawn = truth["options"]
    anatomy = []
    if drawn["transitional"] != "none":
        anatomy.append(drawn["transitional"])
    if drawn["twelfth_rib"] != "normal":
        anatomy.append("12th rib " + drawn["twelfth_rib"])
    case = {"seed": seed, "args": args, "variant": " ".join(words) or "whole", "anatomy": anatomy,
            "seconds": seconds, "anchors": anchors_in_view(truth)}
    if r.returncode != 0:
        case["refused"] = (r.stdout + r.stderr).strip().splitlines()[-1] if (r.stdout + r.stderr).strip() else "?"
        return case
    with open(os.path.join(folder, "seg", "spine.json")) as f:
        model = json.load(f)
    case.update(judge(folder, model, truth))
    return case


def group_of(case):
    if "T2" in case["variant"]:
        return "T2 MR"
    if "operated" in case["variant"] or "degenerated" in case["variant"]:
        return "operated or degenerated"
    if "cut" in case["variant"]:
        return "field of view cut"
    if case["anatomy"]:
        return "rib or lumbosacral variant"
    if "3 mm" in case["variant"]:
        return "3 mm slices"
    return "whole, normal counts"


def table(cases):
    """Markdown rows by group and overall; returns (lines, confident_wrong)."""
    lines = ["| group | cases | right & consistent | right, unconfirmed | refused | confident wrong | "
             "wrong, flagged | thoracic names off, said | centroid median / p95 mm | volume off >30 % | "
             "DRG median / p95 mm |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    groups = {}
    for c in cases:
        groups.setdefault(group_of(c), []).append(c)
    confident_wrong = []
    for name, members in sorted(groups.items()) + [("all", cases)]:
        ok = [c for c in members if "refused" not in c]
        right_cons = sum(1 for c in ok if not c["wrong"] and c["status"] == "consistent")
        right_uncon = sum(1 for c in ok if not c["wrong"] and c["status"] != "consistent")
        cw = [c for c in ok if c["wrong"] and c["status"] == "consistent"]
        flagged = sum(1 for c in ok if c["wrong"] and c["status"] != "consistent")
        if name == "all":
            confident_wrong = cw
        cents = [e for c in ok if not c["wrong"] for e in c["centroid"]]
        gangs = [e for c in ok if not c["wrong"] for e in c["ganglia"]]
        vol = sum(len(c["volume_off"]) for c in ok if not c["wrong"])
        said = sum(1 for c in ok if c["thoracic_off"])
        lines.append(f"| {name} | {len(members)} | {right_cons} | {right_uncon} | "
                     f"{len(members) - len(ok)} | {len(cw)} | {flagged} | {said} | "
                     f"{percentile(cents, 0.5):.1f} / {percentile(cents, 0.95):.1f} | {vol} | "
                     f"{percentile(gangs, 0.5):.1f} / {percentile(gangs, 0.95):.1f} |")
    # "right and consistent" needs two anchors that agree: the share of cases whose image holds both
    # is the most that can be consistent without a count the image does not show
    both = [c for c in cases if len(c.get("anchors", [])) == 2]
    both_ct = [c for c in both if "T2" not in c["variant"]]
    right_cons = [c for c in both if "refused" not in c and not c["wrong"] and c["status"] == "consistent"]
    lines.append("")
    lines.append(f"Both anchors (sacrum and lowest ribs) in the image: {len(both)} of {len(cases)} cases "
                 f"({len(both_ct)} of them CT); right and consistent among them: {len(right_cons)}.")
    return lines, confident_wrong
