"""Reports: what someone says happened, with when, where, what, who, casualties and evidence."""
