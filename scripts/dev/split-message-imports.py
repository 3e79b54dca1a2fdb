#!/usr/bin/env python3
"""Rewrites imports from protocol/messages/index.js into imports of the single generated modules
that define each name, so the broker loads only the codecs it uses. Usage: split-message-imports.py FILE..."""
import os, re, sys, glob
root = os.path.join(os.path.dirname(__file__), '../..')
msgdir = os.path.join(root, 'src/protocol/messages')
defs = {}
for f in glob.glob(os.path.join(msgdir, '*.ts')):
    mod = os.path.basename(f)[:-3]
    if mod == 'index':
        continue
    for m in re.finditer(r'^export (?:async )?(?:function|interface|const|type|class) (\w+)', open(f).read(), re.M):
        defs.setdefault(m.group(1), mod)
pat = re.compile(r"import (type )?\{([^}]*)\} from '((?:\.\./)+protocol/messages)/index\.js';\n")
for path in sys.argv[1:]:
    s = open(path).read()
    def repl(m):
        is_type, names, base = m.group(1) or '', m.group(2), m.group(3)
        by_mod = {}
        for n in [x.strip() for x in names.split(',') if x.strip()]:
            plain = n.replace('type ', '').split(' as ')[0].strip()
            if plain not in defs:
                raise SystemExit(f'{path}: {plain} not found in generated modules')
            by_mod.setdefault(defs[plain], []).append(n)
        return ''.join(f"import {is_type}{{ {', '.join(ns)} }} from '{base}/{mod}.js';\n" for mod, ns in sorted(by_mod.items()))
    t = pat.sub(repl, s)
    if t != s:
        open(path, 'w').write(t)
        print('rewrote', path)
