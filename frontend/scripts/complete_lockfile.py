"""Add the optional platform packages the registry mirror lacks to package-lock.json.

npm leaves an optional dependency out of the lock when the registry cannot resolve it (here:
rollup's non-linux native builds), and `npm ci` then refuses the lock as out of sync. A stub
entry with its os/cpu lets `npm ci` skip it as it would on any other platform.
Run after `npm install` changes the lock: `python3 scripts/complete_lockfile.py package-lock.json`.
"""
import json, re, sys
path = sys.argv[1]
lock = json.load(open(path))
pk = lock["packages"]
added = []
OS = {"android":"android","darwin":"darwin","freebsd":"freebsd","linux":"linux","win32":"win32","openbsd":"openbsd","openharmony":"openharmony","netbsd":"netbsd","sunos":"sunos","aix":"aix"}
for key, meta in list(pk.items()):
    for dep, ver in (meta.get("optionalDependencies") or {}).items():
        base = key + "/node_modules/" + dep if key else "node_modules/" + dep
        top = "node_modules/" + dep
        if base in pk or top in pk:
            continue
        m = re.match(r"@[^/]+/[a-z]+-([a-z0-9]+)-([a-z0-9]+)", dep)
        entry = {"version": ver, "optional": True}
        if m and m.group(1) in OS:
            entry["os"] = [OS[m.group(1)]]
            cpu = m.group(2)
            entry["cpu"] = [{"x64":"x64","arm64":"arm64","arm":"arm","ia32":"ia32","riscv64":"riscv64","ppc64":"ppc64","s390x":"s390x","loong64":"loong64","wasm32":"wasm32"}.get(cpu, cpu)]
        pk[top] = entry
        added.append(top)
lock["packages"] = dict(sorted(pk.items(), key=lambda kv: (kv[0] != "", kv[0])))
json.dump(lock, open(path, "w"), indent=2)
open(path, "a").write("\n")
print(len(added), added[:40])
