#!/usr/bin/python3
"""The house rules for product code (app/, imaging/, planning/): no source file over 900 lines and
no function over 150 lines, so that a reader can hold a file and a function in their head.

Usage: scripts/check-sizes.py [--max-file 900] [--max-function 150] [ROOT]
Lists every file and function over its limit and exits 1 when there is one. A function is found as
a brace block that opens after a parameter list ')' (lambdas inside a function count towards it);
its length is counted from the line of its opening brace to the line of its closing brace."""
import argparse
import os
import re
import sys

FOLDERS = ("app", "imaging", "planning")
ENDINGS = (".cpp", ".h")


def strip(text):
    """The text with comments, strings and character literals blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + (m.group(1) if m else "") + '"', i)
            j = n if end < 0 else end + len(m.group(1) if m else "") + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


NOT_FUNCTIONS = re.compile(r"\b(if|for|while|switch|catch|return|sizeof|decltype|alignof)\s*$")


def functions(text):
    """(name, first line, last line) of each outermost function body."""
    code = strip(text)
    found, stack = [], []  # stack of (is_function, start offset, name)
    for i, c in enumerate(code):
        if c == "{":
            inside = any(f for f, _, _ in stack)
            head = code[max(0, i - 400):i]
            head = re.sub(r"\s+", " ", head).rstrip()
            head = re.sub(r"(const|override|noexcept|final|mutable|-> ?[\w:<>&*, ]+)\s*$", "", head).rstrip()
            head = re.sub(r"(const|override|noexcept|final)\s*$", "", head).rstrip()
            is_fn = False
            name = ""
            if not inside and head.endswith(")"):
                depth, j = 0, len(head) - 1
                while j >= 0:
                    depth += {")": 1, "(": -1}.get(head[j], 0)
                    if depth == 0:
                        break
                    j -= 1
                before = head[:j].rstrip()
                m = re.search(r"([~\w:]+)\s*$", before)
                if m and not NOT_FUNCTIONS.search(before):
                    is_fn, name = True, m.group(1)
            elif not inside and "?" not in re.split(r"[;{}]", head)[-1] and re.search(r"\)\s*:\s*[\w:]+\s*[({]", head):
                # constructor with an initialiser list
                m = re.search(r"([~\w:]+)\s*\([^()]*\)\s*:", head)
                is_fn, name = bool(m), (m.group(1) if m else "")
            stack.append((is_fn, i, name))
        elif c == "}" and stack:
            is_fn, start, name = stack.pop()
            if is_fn:
                found.append((name, code.count("\n", 0, start) + 1, code.count("\n", 0, i) + 1))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-file", type=int, default=900)
    ap.add_argument("--max-function", type=int, default=150)
    ap.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(__file__), ".."))
    a = ap.parse_args()
    bad = 0
    for folder in FOLDERS:
        for dirpath, _, names in os.walk(os.path.join(a.root, folder)):
            for name in sorted(names):
                if not name.endswith(ENDINGS):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, a.root)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                lines = text.count("\n")
                if lines > a.max_file:
                    print(f"{rel}: {lines} lines (limit {a.max_file})")
                    bad += 1
                for fn, first, last in functions(text):
                    if last - first + 1 > a.max_function:
                        print(f"{rel}:{first}: {fn} {last - first + 1} lines (limit {a.max_function})")
                        bad += 1
    print(f"check-sizes: {bad} over the limits" if bad else "check-sizes: every file and function within the limits")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
