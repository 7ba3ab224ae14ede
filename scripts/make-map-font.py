#!/usr/bin/env python3
"""Writes the map's bundled CJK font: ui/public/fonts/GridDeskSansSC-Regular.woff2.

A subset of Noto Sans CJK SC Regular (SIL Open Font License 1.1, resources/fonts/OFL.txt) renamed
"GridDesk Sans SC", holding every character of GB 2312 (the 6 763 hanzi and its symbols), ASCII,
Latin-1, general and CJK punctuation, full-width forms, and every other CJK character the repo's
code tables, sample and UI texts use. MapLibre draws every map label with it (ui/src/layers.ts);
a name with a character outside it falls back, glyph by glyph, to the system's sans-serif.

Needs `pip install fonttools brotli` and Debian's fonts-noto-cjk. Deterministic: the same inputs
give the same file.
"""
import pathlib
import subprocess
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = pathlib.Path('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc')
OUT = ROOT / 'ui/public/fonts/GridDeskSansSC-Regular.woff2'
FAMILY = 'GridDesk Sans SC'


def gb2312() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode('gb2312'))
            except UnicodeDecodeError:
                pass
    return chars


def is_cjk(c: str) -> bool:
    o = ord(c)
    return 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x2FA1F


def repo_chars() -> set[str]:
    files = subprocess.run(['git', 'ls-files', 'resources/codes', 'crates/sample', 'ui/src', 'crates/registers/data'],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    chars = set()
    for f in files:
        p = ROOT / f
        if p.suffix not in {'.csv', '.rs', '.ts', '.json', '.txt'}:
            continue
        chars.update(c for c in p.read_text(encoding='utf-8', errors='ignore') if is_cjk(c))
    return chars


def main() -> int:
    chars = gb2312() | repo_chars()
    chars.update(chr(o) for o in range(0x20, 0x7F))
    chars.update(chr(o) for o in range(0xA0, 0x100))
    chars.update(chr(o) for o in range(0x2000, 0x2070))
    chars.update(chr(o) for o in range(0x3000, 0x3040))
    chars.update(chr(o) for o in range(0xFF01, 0xFF5F))
    coll = TTCollection(str(SOURCE))
    index = next(i for i, f in enumerate(coll.fonts) if f['name'].getDebugName(1) == 'Noto Sans CJK SC')
    font = coll.fonts[index]
    font.recalcTimestamp = False
    opts = subset.Options()
    opts.flavor = 'woff2'
    opts.layout_features = ['kern', 'vert', 'vrt2', 'palt', 'halt', 'locl']
    opts.hinting = False
    opts.desubroutinize = False
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    sub = subset.Subsetter(opts)
    sub.populate(text=''.join(sorted(chars)))
    sub.subset(font)
    name = font['name']
    for rec in list(name.names):
        if rec.nameID in (1, 16):
            rec.string = FAMILY
        elif rec.nameID == 4:
            rec.string = f'{FAMILY} Regular'
        elif rec.nameID == 6:
            rec.string = 'GridDeskSansSC-Regular'
        elif rec.nameID == 3:
            rec.string = 'GridDeskSansSC-Regular; subset of Noto Sans CJK SC'
    font.flavor = 'woff2'
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    print(f'{OUT.relative_to(ROOT)}: {len(chars)} characters, {OUT.stat().st_size} bytes')
    return 0


if __name__ == '__main__':
    sys.exit(main())
