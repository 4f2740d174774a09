"""The only place that talks to git (pygit2, dulwich, the `git` binary) and to the content store."""
