"""ioc: Intelligent Operations Center for a smart province.

The public surface is small: settings (:mod:`ioc.config`), the error hierarchy
(:mod:`ioc.errors`) and the storage layer (:mod:`ioc.storage`). Everything that
talks SQL lives under :mod:`ioc.storage`.
"""

__version__ = "0.1.0"
