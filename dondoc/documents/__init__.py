"""Documents dondoc produces: the reporting form (.xlsx), calendar invites (.ics), reports."""
