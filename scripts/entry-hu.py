# The median CT number of the 3x3x3 voxels round each planned lead's epidural entry (issue 20 asks for
# fat, at most -30 HU, on the real CT). Plain Python: reads the NIfTI `drgplan-cli convert` writes.
# usage: python3 scripts/entry-hu.py VOLUME.nii.gz PLAN.drgplan.json
import gzip, json, struct, sys
vol, plan = sys.argv[1], sys.argv[2]
raw = gzip.open(vol).read() if vol.endswith('.gz') else open(vol, 'rb').read()
hdr = raw[:352]
dim = struct.unpack('<8h', hdr[40:56]); nx, ny, nz = dim[1], dim[2], dim[3]
datatype = struct.unpack('<h', hdr[70:72])[0]
voxoff = int(struct.unpack('<f', hdr[108:112])[0])
slope, inter = struct.unpack('<2f', hdr[112:120])
srow = [struct.unpack('<4f', hdr[280 + 16 * i:296 + 16 * i]) for i in range(3)]
fmt = {4: ('h', 2), 16: ('f', 4), 512: ('H', 2), 8: ('i', 4)}[datatype]
data = raw[voxoff:]
def val(i, j, k):
    o = (i + nx * (j + ny * k)) * fmt[1]
    v = struct.unpack('<' + fmt[0], data[o:o + fmt[1]])[0]
    return v * (slope if slope else 1) + inter
# RAS (nifti) from LPS: x_ras = -x_lps, y_ras = -y_lps
import itertools
a = [[srow[r][c] for c in range(3)] for r in range(3)]; t = [srow[r][3] for r in range(3)]
def inv3(m):
    (a0, a1, a2), (b0, b1, b2), (c0, c1, c2) = m
    det = a0 * (b1 * c2 - b2 * c1) - a1 * (b0 * c2 - b2 * c0) + a2 * (b0 * c1 - b1 * c0)
    return [[(b1 * c2 - b2 * c1) / det, (a2 * c1 - a1 * c2) / det, (a1 * b2 - a2 * b1) / det],
            [(b2 * c0 - b0 * c2) / det, (a0 * c2 - a2 * c0) / det, (a2 * b0 - a0 * b2) / det],
            [(b0 * c1 - b1 * c0) / det, (a1 * c0 - a0 * c1) / det, (a0 * b1 - a1 * b0) / det]]
ai = inv3(a)
for lead in json.load(open(plan))['leads']:
    e = lead['derived'].get('epidural_entry')
    if not e:
        print(lead['name'], 'not planned'); continue
    ras = [-e[0], -e[1], e[2]]
    d = [ras[r] - t[r] for r in range(3)]
    ijk = [round(sum(ai[r][c] * d[c] for c in range(3))) for r in range(3)]
    vals = sorted(val(ijk[0] + di, ijk[1] + dj, ijk[2] + dk) for di, dj, dk in itertools.product((-1, 0, 1), repeat=3))
    print(lead['name'], 'entry', [round(x, 1) for x in e], 'median 3x3x3 HU', vals[13])
