#!/usr/bin/env bash
# Writes the outputs a refactoring must leave unchanged: on the demo phantom and four phantom variants
# (CT lordotic, scoliotic-rotated, 3 mm slices; T2 MR) the phantom (truth.json, labels.nii.gz),
# `info --json`, `segment` (spine.json, labels.nii.gz), `plan` (plan file, spine model) and `report`
# (lead table, Slicer markups, STL meshes, the PDF's text); on every series of ../shared/data `info`,
# `segment` and `plan`; each command's exit code and messages beside them. Two runs (before and after
# a change) are compared with `diff -r`. Not compared: the DICOM objects the report writes (new UIDs
# and times on every run).
#
# Usage: scripts/golden-outputs.sh [--cli build/app/cli/drgplan-cli] [--shared ../shared] OUT_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cli="$here/build/app/cli/drgplan-cli"
shared="$here/../shared"
while [ $# -gt 1 ]; do
  case "$1" in
    --cli) cli=$(realpath "$2"); shift 2 ;;
    --shared) shared=$(realpath "$2"); shift 2 ;;
    *) echo "golden-outputs: unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -eq 1 ] || { echo "usage: scripts/golden-outputs.sh [--cli CLI] [--shared DIR] OUT_DIR" >&2; exit 2; }
out=$1
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME CMD...: the command's exit code and stderr (progress is off with --quiet where offered)
run() {
  local name=$1
  shift
  "$@" >"$out/$name.stdout" 2>"$out/$name.stderr"
  echo $? >"$out/$name.rc"
  # elapsed times differ from run to run
  sed -i -E 's/[0-9.]+ (ms|s)\b/<time>/g' "$out/$name.stdout" "$out/$name.stderr"
}

S="--matrix 256,256,200 --spacing 1.6,1.6,2"
declare -A PHANTOMS=(
  [demo]=""
  [lordosis65]="$S --lordosis 65"
  [scoliosis]="$S --scoliosis 20 --axial-rotation 10"
  [ct3mm]="--matrix 140,140,134 --spacing 3,3,3"
  [t2]="$S --contrast t2"
)
TARGETS="T12-right,L4-left,L5-left,S1-right"
for name in "${!PHANTOMS[@]}"; do
  # shellcheck disable=SC2086
  "$cli" phantom --quiet --out "$work/$name" ${PHANTOMS[$name]} >/dev/null
  run "segment-$name" "$cli" segment "$work/$name/dicom" --out "$out/segment-$name"
  run "plan-$name" "$cli" plan "$work/$name/dicom" --targets "$TARGETS" --pocket buttock-left \
    --out "$out/plan-$name"
  # the phantom itself, what import makes of it, and the report's files (the PDF as its text)
  mkdir -p "$out/phantom-$name"
  cp "$work/$name/truth.json" "$work/$name/labels.nii.gz" "$out/phantom-$name/"
  run "info-$name" "$cli" info "$work/$name/dicom" --json
  run "report-$name" "$cli" report "$out/plan-$name/plan.drgplan.json" --pdf --csv --markups --meshes \
    --out "$out/report-$name"
  if [ -f "$out/report-$name/report.pdf" ]; then
    pdftotext -layout "$out/report-$name/report.pdf" "$out/report-$name/report.txt"
    rm "$out/report-$name/report.pdf"
  fi
done

if [ -d "$shared/data" ]; then
  i=0
  while IFS= read -r series; do
    i=$((i + 1))
    run "info-shared$i" "$cli" info "$series" --json
    run "segment-shared$i" "$cli" segment "$series" --out "$out/segment-shared$i"
    run "plan-shared$i" "$cli" plan "$series" --targets L4-left,L5-right --pocket abdomen-right \
      --out "$out/plan-shared$i"
    echo "shared$i ${series#"$shared"/}" >>"$out/series.txt"
  done < <(find "$shared/data" \( -name '*.nii.gz' -o -name dicom -o -name 'ct-dicom-j2k-totalseg' \
                -o -name In -o -name single-files \) | sort)
else
  echo "golden-outputs: $shared/data absent, shared series skipped" >&2
fi
# plan files name the images' folder, which is the run's temporary folder
find "$out" -name '*.drgplan.json' -exec sed -i "s#$work#<work>#g" {} +
find "$out" -name '*.stdout' -exec sed -i -e "s#$work#<work>#g" -e "s#$out#<out>#g" {} +
find "$out" -name '*.stderr' -exec sed -i "s#$work#<work>#g" {} +
find "$out" -name 'report.txt' -exec sed -i -E -e "s#$work#<work>#g" -e "s#$out#<out>#g" \
  -e 's/(Plan file SHA-256 +)[0-9a-f]{64}/\1<hash of a file naming the run folder>/' {} +
# the spine model records how long it took
find "$out" -name '*.json' -exec sed -i -E 's/"seconds": [0-9.e+-]+/"seconds": "<time>"/' {} +
echo "golden-outputs: written to $out"
