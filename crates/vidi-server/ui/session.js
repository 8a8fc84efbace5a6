// The signed-in user (User of api.md: id, username, agency, role), or null.
export const session = { user: null };

/** True when `who` (a user object, username or id) is the signed-in user. */
export function isMe(who) {
  const u = session.user;
  if (!u || who === null || who === undefined) return false;
  if (typeof who === 'object') return (who.id !== undefined && who.id === u.id) || (who.username !== undefined && who.username === u.username);
  return who === u.username || who === u.id;
}
