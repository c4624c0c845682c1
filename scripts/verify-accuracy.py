#!/usr/bin/env python3
"""Post-operative verification against the phantom's truth over a population of spines.

For each anatomy seed: the phantom drawn from the population, three leads planned (L3 right, L4 left,
L5 right), a post-operative phantom of the same patient lying differently (lordosis +8 degrees) with
one lead moved by a seeded 0-4 mm, `drgplan-cli verify`; then every found contact against the truth
(planning frame) and the moved lead's measured deviation against its true shift.

  python3 scripts/verify-accuracy.py --seeds 1-10 [--work DIR] [--cli build/app/cli/drgplan-cli]
"""
import argparse, json, math, os, random, subprocess, sys


def run(args):
    r = subprocess.run(args, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1-10")
    ap.add_argument("--work", default="/tmp/verify-accuracy")
    ap.add_argument("--cli", default=os.path.join(os.path.dirname(__file__), "..", "build", "app", "cli", "drgplan-cli"))
    a = ap.parse_args()
    lo, _, hi = a.seeds.partition("-")
    seeds = range(int(lo), int(hi or lo) + 1)
    errors, shifts, rows = [], [], []
    for seed in seeds:
        d = os.path.join(a.work, "seed%d" % seed)
        os.makedirs(d, exist_ok=True)
        pre, plan, post, ver = (os.path.join(d, x) for x in ("pre", "plan", "post", "verify"))
        code, out = run([a.cli, "-q", "phantom", "--out", pre, "--anatomy-seed", str(seed), "--seed", str(seed)])
        if code:
            rows.append((seed, "phantom failed: " + out.strip()[-120:])); continue
        lordosis = json.load(open(os.path.join(pre, "truth.json")))["options"]["lordosis_degrees"]
        code, out = run([a.cli, "-q", "plan", os.path.join(pre, "dicom"), "--targets", "L3-right,L4-left,L5-right",
                         "--pocket", "buttock-left", "--out", plan])
        if code:
            rows.append((seed, "not planned: " + out.strip().splitlines()[-1][:120])); continue
        rnd = random.Random(seed)
        moved = rnd.choice(["L3-right", "L4-left", "L5-right"])
        dz = rnd.uniform(0.0, 4.0)
        code, out = run([a.cli, "-q", "phantom", "--out", post, "--anatomy-seed", str(seed), "--seed", str(seed),
                         "--lordosis", "%.1f" % min(80.0, lordosis + 8.0), "--implant", os.path.join(plan, "plan.drgplan.json"),
                         "--shift-lead", "%s:0,0,%.2f" % (moved, -dz)])
        if code:
            rows.append((seed, "post-operative phantom failed: " + out.strip()[-120:])); continue
        code, out = run([a.cli, "-q", "verify", os.path.join(post, "dicom"), "--plan", os.path.join(plan, "plan.drgplan.json"),
                         "--out", ver])
        if code:
            rows.append((seed, "verify refused: " + out.strip().splitlines()[-1][:120])); continue
        v = json.load(open(os.path.join(ver, "verify.json")))
        truth = {l["name"]: l for l in json.load(open(os.path.join(post, "truth.json")))["implanted_leads"]}
        worst, found = 0.0, 0
        for l in v["leads"]:
            t = truth.get(l["name"])
            if not t or not l["found"]:
                continue
            found += 1
            for c in l["contacts"]:
                e = math.dist(c["position_mm"], t["contacts_in_planning_frame"][c["number"] - 1])
                errors.append(e); worst = max(worst, e)
            if l["name"].replace(" ", "-") == moved:
                shifts.append(abs(l["max_deviation_mm"] - dz))
        rows.append((seed, "%d of %d leads found, %d unplanned, worst contact %.2f mm, %s moved %.1f mm" %
                     (found, len(truth), sum(1 for l in v["leads"] if not l["in_plan"]), worst, moved, dz)))
    for seed, text in rows:
        print("seed %3d: %s" % (seed, text))
    if errors:
        errors.sort()
        print("contacts: %d, median %.2f mm, p95 %.2f mm, max %.2f mm, over 1 mm: %d" %
              (len(errors), errors[len(errors) // 2], errors[int(0.95 * (len(errors) - 1))], errors[-1],
               sum(e > 1.0 for e in errors)))
    if shifts:
        print("moved leads: deviation against the true shift, max error %.2f mm" % max(shifts))


if __name__ == "__main__":
    sys.exit(main())
