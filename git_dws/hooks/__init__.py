"""git hooks: the shell shim installed into the hooks directory (`hook-tmpl`, package data) and the
entry it runs (`python -m git_dws.hooks HOOK ...`, also `git dws hook-impl HOOK ...`). Installing and
removing them is `ops/hooks.py`; what each hook does is `ops/hook_impl.py`."""
