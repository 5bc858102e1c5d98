"""Team members (thành viên): the people in a team; personal data, read with members:read."""
