"""Paths of an offline-root snapshot, resolved inside the image by descriptor.

The snapshot reader opens files itself (``O_NOATIME``), so HostReader's
mapping of a path into the tree and its ``realpath`` check do not cover it.
Here a host path is walked one component at a time from a descriptor of the
image's root: each component is looked at relative to its parent's
descriptor without following it, a symbolic link is read and its target
resolved again inside the image (an absolute target starts at the image's
root, ``..`` stops at it: the rules of :mod:`collectors.context`), and the
caller opens the last component relative to its parent's descriptor with
``O_NOFOLLOW``. The kernel never follows a link on the way, so no path can
lead out of the image, even if the tree changes while it is read. A chain of
more than :data:`MAX_HOPS` links, and anything under the image's ``/proc``
or ``/sys`` (a tree handed over with them mounted would show this machine's
kernel), read as absent.
"""

from __future__ import annotations

import errno
import os
import stat as _stat
import weakref
from collections import OrderedDict
from typing import Dict, List, Tuple

from collectors.context import RUNTIME_TREES

MAX_HOPS = 40
MAX_DIRS = 64  # directory descriptors kept open: siblings resolve without walking from the root again
_O_PATH = getattr(os, "O_PATH", os.O_RDONLY)
_DIR_PATH_FLAGS = _O_PATH | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)

Parts = Tuple[str, ...]


def _absent(why: str) -> FileNotFoundError:
    return FileNotFoundError(errno.ENOENT, why)


def _close_all(fds: Dict[Parts, int]) -> None:
    for fd in fds.values():
        try:
            os.close(fd)
        except OSError:
            pass
    fds.clear()


class ConfinedRoot:
    """Resolves host paths to (descriptor of the parent directory, last name) inside one root file system."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._dirs: OrderedDict[Parts, int] = OrderedDict()  # the root's descriptor is kept under ()
        self._parents: Dict[str, Parts] = {}  # a parent path as asked -> the directory it resolved to
        self._finalizer = weakref.finalize(self, _close_all, self._dirs)

    def close(self) -> None:
        """Close the descriptors held; a later resolution opens what it needs again."""
        self._parents.clear()
        _close_all(self._dirs)

    # -- directories by descriptor -----------------------------------------------------------------
    def _dir(self, parts: Parts) -> int:
        """A descriptor (O_PATH) of the image's directory ``parts``, opened component by component without following links."""
        fd = self._dirs.get(parts)
        if fd is not None:
            self._dirs.move_to_end(parts)
            return fd
        if not parts:
            fd = os.open(self.root, _DIR_PATH_FLAGS)
            self._dirs[()] = fd
            return fd
        parent = self._dir(parts[:-1])
        fd = os.open(parts[-1], _DIR_PATH_FLAGS, dir_fd=parent)  # a link put here meanwhile: ELOOP or ENOTDIR
        self._dirs[parts] = fd
        if len(self._dirs) > MAX_DIRS:
            # the least recently used, never the root nor the chain just used (it is the most recent)
            oldest = next(k for k in self._dirs if k)
            os.close(self._dirs.pop(oldest))
        return fd

    # -- resolution --------------------------------------------------------------------------------
    def _walk(self, todo: List[str], stack: List[str], follow_last: bool, hops: List[int]) -> Tuple[Parts, str]:
        """Resolve ``todo`` from the directory ``stack``: (the directory holding the last component, its name).

        ``hops`` counts the links followed over the whole path (one list shared by the calls of one resolution).
        """
        while todo:
            part = todo.pop(0)
            if part == "..":
                if stack:
                    stack.pop()
                continue
            last = not todo
            if last and not follow_last:
                return tuple(stack), part
            dfd = self._dir(tuple(stack))
            try:
                st = os.stat(part, dir_fd=dfd, follow_symlinks=False)
            except FileNotFoundError:
                if last:
                    return tuple(stack), part  # the caller's open says it is missing
                raise
            if _stat.S_ISLNK(st.st_mode):
                hops[0] += 1
                if hops[0] > MAX_HOPS:
                    raise _absent(f"more than {MAX_HOPS} symbolic links: read as absent")
                target = os.readlink(part, dir_fd=dfd)
                if target.startswith("/"):
                    stack = []  # an absolute link points into the image, never to this machine
                todo[:0] = [p for p in target.split("/") if p not in ("", ".")]
                continue
            if last:
                return tuple(stack), part
            if not _stat.S_ISDIR(st.st_mode):
                raise NotADirectoryError(errno.ENOTDIR, "not a directory")
            stack.append(part)
            if len(stack) == 1 and part in RUNTIME_TREES:
                raise _absent("offline-root: /proc and /sys of an image are not read")
        # the path names a directory reached through ".." (or the root itself)
        if not stack:
            return (), "."
        return tuple(stack[:-1]), stack[-1]

    def resolve(self, path: str, *, follow: bool) -> Tuple[int, str, str]:
        """(descriptor of the parent directory, last name, the image path it resolved to).

        ``follow``: a link in the last component is resolved too (reading a file); otherwise the last
        component is the link itself (lstat, readlink). Raises FileNotFoundError for what is absent or
        outside what may be read, NotADirectoryError for a file used as a directory.
        """
        if not path.startswith("/"):
            raise ValueError(f"host paths are absolute: {path!r}")
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if not parts:
            return self._dir(()), ".", "/"
        hops = [0]
        parent_key = "/".join(parts[:-1])
        parent = self._parents.get(parent_key)
        if parent is None:
            where, name = self._walk(list(parts[:-1]), [], True, hops) if len(parts) > 1 else ((), ".")
            parent = where + ((name,) if name != "." else ())
            if len(self._parents) > 4096:
                self._parents.clear()
            self._parents[parent_key] = parent
        where, name = self._walk([parts[-1]], list(parent), follow, hops)
        full = where + ((name,) if name != "." else ())
        if full and full[0] in RUNTIME_TREES:
            raise _absent("offline-root: /proc and /sys of an image are not read")
        return self._dir(where), name, "/" + "/".join(full)
