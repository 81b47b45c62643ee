"""tasukeai-kit: a workshop kit for district council meetings (地区社協の話し合い)."""

__version__ = "0.1.0"
