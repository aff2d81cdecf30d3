"""What people read: the gettext catalogs, names of the rules' values, notice and status texts."""
