"""Faults of the machine (pipelines.core.faults) and a store held by another writer (pipelines.store.db)."""

MESSAGES = {
    "fault.disk_full": (
        ("磁盘空间已满，无法写入 {path}。数据库未作任何改动。请清理该磁盘或把数据库移到空间更大的磁盘后重试。"
        "（这不是导入文件的问题。详情：{detail}）"),
        ("The disk is full: could not write {path}. Nothing in the store was changed. Free space on that disk "
        "(or move the store to a larger one) and try again. This is not a problem of the files. (Detail: {detail})"),
    ),
    "fault.permission": (
        ("没有写入权限，或该位置为只读：{path}。数据库未作任何改动。请检查该文件夹的权限（运行本程序的账户须可写），"
        "或是否挂载为只读后重试。（这不是导入文件的问题。详情：{detail}）"),
        ("Permission denied, or the place is read-only: {path}. Nothing in the store was changed. Check that the "
        "account running the program may write that folder and that it is not mounted read-only, then try again. "
        "This is not a problem of the files. (Detail: {detail})"),
    ),
    "fault.vanished": (
        ("文件在处理过程中消失了：{path}。数据库未作任何改动。请确认该文件仍在原处、未被其他程序移动或删除后重试。"
        "（详情：{detail}）"),
        ("A file vanished while it was being read: {path}. Nothing in the store was changed. Make sure the file is "
        "still there and that no other program moves or deletes it, then try again. (Detail: {detail})"),
    ),
    "fault.memory": (
        ("内存不足，处理未能完成。数据库未作任何改动。请关闭其他占用内存的程序，或在内存更大的机器上重试。"
        "（这不是导入文件的问题。详情：{detail}）"),
        ("Out of memory: the work could not finish. Nothing in the store was changed. Close other programs that use "
        "memory, or run it on a machine with more memory, then try again. This is not a problem of the files. "
        "(Detail: {detail})"),
    ),
    "fault.io": (
        "读写磁盘出错：{path}。数据库未作任何改动。请检查该磁盘（或网络存储）是否正常后重试。（详情：{detail}）",
        ("An input/output error on the disk: {path}. Nothing in the store was changed. Check that disk (or network "
        "storage), then try again. (Detail: {detail})"),
    ),
    # Another load or rebuild holds the store (its lock records which command and since when).
    "lock.waiting": (
        "另一项操作正在写入数据库（{command}，进程 {pid}，自 {since} 起），本次操作将等待其完成后开始…",
        ("Another operation is writing the store ({command}, process {pid}, since {since}); this one waits for it "
        "to finish…"),
    ),
    "lock.waiting_unknown": (
        "另一项操作正在写入数据库，本次操作将等待其完成后开始…",
        "Another operation is writing the store; this one waits for it to finish…",
    ),
    "lock.busy": (
        ("另一项操作正在写入数据库（{command}，进程 {pid}，自 {since} 起）。按 --no-wait 的要求未等待，数据库未作任何改动；"
        "请待其完成后重试。"),
        ("Another operation is writing the store ({command}, process {pid}, since {since}). As --no-wait asks, this "
        "one did not wait and changed nothing; try again when it has finished."),
    ),
    "lock.busy_unknown": (
        "另一项操作正在写入数据库。按 --no-wait 的要求未等待，数据库未作任何改动；请待其完成后重试。",
        ("Another operation is writing the store. As --no-wait asks, this one did not wait and changed nothing; "
        "try again when it has finished."),
    ),
    "lock.waited": (
        "本次导入等待了另一项操作（{command}，进程 {pid}，自 {since} 起）完成后才开始。",
        "This load waited for another operation ({command}, process {pid}, since {since}) to finish before it started.",
    ),
    "lock.waited_unknown": ("本次导入等待了另一项操作完成后才开始。", "This load waited for another operation to finish before it started."),
    "lock.command.load": ("导入", "load"),
    "lock.command.rebuild": ("重建汇总表", "rebuild"),
    "lock.command.demo": ("生成演示数据并导入", "demo load"),
    "lock.command.migrate": ("升级数据库结构", "store upgrade"),
}
