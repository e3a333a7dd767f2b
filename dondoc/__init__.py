"""dondoc — đôn đốc báo cáo: a workflow engine for reporting deadlines and assignments."""
