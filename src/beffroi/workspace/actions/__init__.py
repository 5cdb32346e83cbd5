"""The actions layer: every write to the workspace goes through a function here (``do_*``), which
checks permissions (``check_*``), writes, and appends to the audit trail. Views and workers are thin
and call the same functions (as Zulip's ``zerver/actions/``)."""
