"""``pyNN.utility.script_tools``: command-line and logging helpers for scripts."""
from lamina.compat.utility import (EMAIL, SMTPHOST, get_script_args, get_simulator,  # noqa: F401
                                   init_logging, normalized_filename, notify)

__all__ = ["EMAIL", "SMTPHOST", "get_script_args", "get_simulator", "init_logging",
           "normalized_filename", "notify"]
