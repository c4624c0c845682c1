#!/usr/bin/env bash
# Sets everything up and runs the main job on the embedded demo case: writes the spine phantom
# (DICOM, truth, labels, previews) to out/demo, builds its spine model (out/demo/model), plans two
# leads (L4 and L5 left) and an abdominal pocket (out/demo/plan), writes the placement report
# (out/demo/report) and opens the case in the workstation when a display is there; without one,
# runs headless and says where the outputs are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
OUT=${1:-out/demo}
BIN=${DRG_BUILD_DIR:-build}/app
mkdir -p "$OUT"
if [ -n "${DISPLAY:-}" ]; then
  "$BIN/cli/drgplan-cli" phantom --out "$OUT" --preview "$OUT/preview.png" --render3d "$OUT/overview3d.png"
  "$BIN/cli/drgplan-cli" segment "$OUT/dicom" --out "$OUT/model"
  "$BIN/cli/drgplan-cli" plan "$OUT/dicom" --targets L4-left,L5-left --pocket abdomen-left --out "$OUT/plan"
  "$BIN/cli/drgplan-cli" report "$OUT/plan/plan.drgplan.json" --out "$OUT/report"
  echo "opening the workstation on the demo case (close the window to finish)"
  exec "$BIN/gui/drgplan" --demo
else
  xvfb-run -a "$BIN/cli/drgplan-cli" phantom --out "$OUT" --preview "$OUT/preview.png" --render3d "$OUT/overview3d.png"
  "$BIN/cli/drgplan-cli" segment "$OUT/dicom" --out "$OUT/model"
  "$BIN/cli/drgplan-cli" plan "$OUT/dicom" --targets L4-left,L5-left --pocket abdomen-left --out "$OUT/plan"
  xvfb-run -a -s "-screen 0 1600x1200x24" "$BIN/cli/drgplan-cli" report "$OUT/plan/plan.drgplan.json" --out "$OUT/report"
  xvfb-run -a -s "-screen 0 1600x1200x24" "$BIN/gui/drgplan" --demo --screenshot "$OUT/workstation.png"
  echo
  echo "No display: ran headless. Outputs in $OUT/:"
  echo "  dicom/             the demo CT series (open it in any DICOM viewer)"
  echo "  truth.json         vertebrae, foramina, ganglia and landmarks (LPS mm)"
  echo "  labels.nii.gz      label map"
  echo "  model/             the spine model found in the images: spine.json, labels.nii.gz"
  echo "  plan/              the plan: plan.drgplan.json (leads, pocket, length budget, findings)"
  echo "  report/            the placement report (report.pdf), its DICOM objects (report.dcm, plan-sr.dcm,"
  echo "                     vertebrae-seg.dcm), Slicer markups, a CSV lead table, STL meshes"
  echo "  preview.png        axial, coronal and sagittal slices through the left L4 ganglion"
  echo "  overview3d.png     3D overview of the labelled anatomy"
  echo "  workstation.png    the workstation window showing the demo case"
fi
