"""Teams: a tenant groups its members (a name, a lead, members; a member may be in several)
— for the members' report per team and the contact list's ``teams.owner_team`` filter."""
