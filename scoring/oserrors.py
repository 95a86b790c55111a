"""Operating-system errors in the office's words.

`OSError.strerror` is English ("No such file or directory") and `str(exc)` adds the exception's
own wording; a clerk gets neither. `describe` says what happened in Chinese, and the caller names
the file (`exc.filename` is the one that failed, which is not always the one the command was
given: the regulations register beside a standard, a staging file beside an output).
"""

from __future__ import annotations

import errno

_WORDS = {
    errno.ENOENT: "找不到文件",
    errno.EACCES: "没有访问权限（文件可能正在 Excel/WPS 中打开，或没有该文件夹的权限）",
    errno.EPERM: "没有访问权限（文件可能正在 Excel/WPS 中打开，或没有该文件夹的权限）",
    errno.EISDIR: "这是一个文件夹，这里需要的是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENOSPC: "磁盘空间已满，请清理磁盘后重试",
    errno.EDQUOT: "磁盘配额已用完，请清理后重试",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EBUSY: "文件正被其他程序占用，请关闭后重试",
    errno.ETXTBSY: "文件正被其他程序占用，请关闭后重试",
    errno.EEXIST: "文件已存在",
    errno.EIO: "读写磁盘时出错（磁盘或网络盘可能有故障）",
    errno.EMFILE: "同时打开的文件太多",
    errno.ENFILE: "同时打开的文件太多",
    errno.ELOOP: "路径中的快捷方式（符号链接）循环指向自身",
    errno.EINVAL: "文件名中有系统不允许的字符",
}


# The one wording for a folder that takes no new file from this user (every output is written into
# its folder and renamed there, so it is the folder's permission that counts).
NO_WRITE_PERMISSION = "没有在该文件夹中新建文件的权限"


def describe(exc: OSError) -> str:
    """What went wrong, in Chinese, without any English text of the exception."""
    if exc.errno in _WORDS:
        return _WORDS[exc.errno]
    if isinstance(exc, FileNotFoundError):
        return _WORDS[errno.ENOENT]
    if isinstance(exc, PermissionError):
        return _WORDS[errno.EACCES]
    if isinstance(exc, IsADirectoryError):
        return _WORDS[errno.EISDIR]
    return f"系统报告读写错误（错误号 {exc.errno}）" if exc.errno else "系统无法读写该文件"


def describe_write(exc: OSError) -> str:
    """Why a file could not be written, in Chinese: a refused permission said the one way
    (`NO_WRITE_PERMISSION`), anything else as `describe`."""
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return NO_WRITE_PERMISSION
    return describe(exc)
