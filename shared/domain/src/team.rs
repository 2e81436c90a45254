//! A tenant's team as one record, the *roster*: how many members and tenant admins it has and
//! which pending invitations hold a seat. It exists to make the team's two rules race-safe:
//!
//! - the last tenant admin can be neither removed nor demoted;
//! - members plus pending invitations never exceed the plan's `limits.seats`.
//!
//! Both rules read several items (members, invitations), and two requests racing could each
//! see the rule hold and together break it. So every change to the team also writes the
//! roster, guarded by its `version`, in the same transaction as the change: of two racing
//! changes one commits and the other finds the version moved and starts again from fresh data.
//! The roster is read with a strongly consistent GetItem, never from an index.
//!
//! Not for listing the team (that is the members index and the invitations partition), and
//! not a cache to trust blindly: it is counted from those items the first time it is needed.
use serde::{Deserialize, Serialize};

use crate::email::Email;
use crate::ids::{InvitationId, TenantId};
use crate::time::Timestamp;
use crate::user::Role;

/// A pending invitation holding one seat until it is accepted, revoked or expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldSeat {
    pub invitation_id: InvitationId,
    pub email: Email,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub tenant_id: TenantId,
    /// Users of the tenant (any status).
    pub members: i64,
    /// Members whose role is `tenant_admin`.
    pub admins: i64,
    /// Pending invitations counted against the seats; expired ones are dropped on the next change.
    pub held: Vec<HeldSeat>,
    /// 0 until first stored; every change adds 1.
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamRuleError {
    #[error("all {limit} seats of the plan are taken (members and pending invitations)")]
    SeatLimitReached { limit: i64 },
    #[error("the last tenant admin can be neither removed nor demoted")]
    LastAdmin,
    #[error("a pending invitation to this address exists")]
    AlreadyInvited,
}

fn is_admin(role: Role) -> bool {
    role == Role::TenantAdmin
}

impl Roster {
    /// The roster of a team nobody has counted yet.
    pub fn empty(tenant_id: TenantId) -> Roster {
        Roster { tenant_id, members: 0, admins: 0, held: Vec::new(), version: 0 }
    }

    fn live_held(&self, now: Timestamp) -> impl Iterator<Item = &HeldSeat> {
        self.held.iter().filter(move |h| h.expires_at > now)
    }

    /// Members plus the invitations still able to become members.
    pub fn seats_used(&self, now: Timestamp) -> i64 {
        self.members + self.live_held(now).count() as i64
    }

    fn changed(mut self, now: Timestamp) -> Roster {
        self.held.retain(|h| h.expires_at > now);
        self.version += 1;
        self
    }

    /// A new invitation takes a seat, if one is free under `limit`; one pending invitation
    /// per address.
    pub fn hold_seat(mut self, seat: HeldSeat, now: Timestamp, limit: i64) -> Result<Roster, TeamRuleError> {
        if self.live_held(now).any(|h| h.email == seat.email) {
            return Err(TeamRuleError::AlreadyInvited);
        }
        if self.seats_used(now) + 1 > limit {
            return Err(TeamRuleError::SeatLimitReached { limit });
        }
        self.held.push(seat);
        Ok(self.changed(now))
    }

    /// A revoked invitation gives its seat back.
    pub fn release_seat(mut self, invitation: &InvitationId, now: Timestamp) -> Roster {
        self.held.retain(|h| &h.invitation_id != invitation);
        self.changed(now)
    }

    /// An accepted invitation becomes a member. An invitation that held no seat (one a
    /// platform admin or the provisioning job made) still joins: the platform chose to.
    pub fn join(mut self, invitation: &InvitationId, role: Role, now: Timestamp) -> Roster {
        self.held.retain(|h| &h.invitation_id != invitation);
        self.members += 1;
        if is_admin(role) {
            self.admins += 1;
        }
        self.changed(now)
    }

    /// A member's role changes from `from` to `to`; never the last admin's.
    pub fn change_role(mut self, from: Role, to: Role, now: Timestamp) -> Result<Roster, TeamRuleError> {
        match (is_admin(from), is_admin(to)) {
            (true, false) if self.admins <= 1 => return Err(TeamRuleError::LastAdmin),
            (true, false) => self.admins -= 1,
            (false, true) => self.admins += 1,
            _ => {}
        }
        Ok(self.changed(now))
    }

    /// A member with `role` leaves; never the last admin.
    pub fn remove(mut self, role: Role, now: Timestamp) -> Result<Roster, TeamRuleError> {
        if is_admin(role) {
            if self.admins <= 1 {
                return Err(TeamRuleError::LastAdmin);
            }
            self.admins -= 1;
        }
        self.members = (self.members - 1).max(0);
        Ok(self.changed(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp::from_unix(1_795_600_800);
    const WEEK: i64 = 7 * 86_400;

    fn roster(members: i64, admins: i64) -> Roster {
        Roster { members, admins, ..Roster::empty(TenantId::generate(NOW)) }
    }

    fn seat(email: &str, expires_at: Timestamp) -> HeldSeat {
        HeldSeat { invitation_id: InvitationId::generate(NOW), email: Email::parse(email).unwrap(), expires_at }
    }

    #[test]
    fn invitations_take_seats_until_the_plan_limit() {
        // GIVEN a team of one on a three-seat plan
        let r = roster(1, 1);
        // WHEN two invitations go out
        let r = r.hold_seat(seat("a@example.com", NOW.plus_seconds(WEEK)), NOW, 3).unwrap();
        let r = r.hold_seat(seat("b@example.com", NOW.plus_seconds(WEEK)), NOW, 3).unwrap();
        // THEN every seat is taken and a third is refused
        assert_eq!((r.seats_used(NOW), r.version), (3, 2));
        let third = r.hold_seat(seat("c@example.com", NOW.plus_seconds(WEEK)), NOW, 3);
        assert_eq!(third, Err(TeamRuleError::SeatLimitReached { limit: 3 }));
    }

    #[test]
    fn an_expired_invitation_frees_its_seat() {
        let r = roster(2, 1).hold_seat(seat("a@example.com", NOW.plus_seconds(60)), NOW, 3).unwrap();
        let later = NOW.plus_seconds(61);
        assert_eq!(r.seats_used(later), 2);
        let r = r.hold_seat(seat("b@example.com", later.plus_seconds(WEEK)), later, 3).unwrap();
        assert_eq!(r.held.len(), 1, "the expired seat is dropped on the next change");
    }

    #[test]
    fn one_pending_invitation_per_address() {
        let r = roster(1, 1).hold_seat(seat("a@example.com", NOW.plus_seconds(WEEK)), NOW, 10).unwrap();
        let again = r.hold_seat(seat("a@example.com", NOW.plus_seconds(WEEK)), NOW, 10);
        assert_eq!(again, Err(TeamRuleError::AlreadyInvited));
    }

    #[test]
    fn a_revoked_invitation_gives_its_seat_back() {
        let s = seat("a@example.com", NOW.plus_seconds(WEEK));
        let id = s.invitation_id.clone();
        let r = roster(2, 1).hold_seat(s, NOW, 3).unwrap().release_seat(&id, NOW);
        assert_eq!(r.seats_used(NOW), 2);
    }

    #[test]
    fn accepting_turns_a_held_seat_into_a_member_and_counts_admins() {
        let s = seat("a@example.com", NOW.plus_seconds(WEEK));
        let id = s.invitation_id.clone();
        let r = roster(1, 1).hold_seat(s, NOW, 3).unwrap().join(&id, Role::TenantAdmin, NOW);
        assert_eq!((r.members, r.admins, r.held.len(), r.seats_used(NOW)), (2, 2, 0, 2));
        // An invitation that held no seat still joins.
        let r = r.join(&InvitationId::generate(NOW), Role::TenantMember, NOW);
        assert_eq!((r.members, r.admins), (3, 2));
    }

    #[test]
    fn the_last_admin_can_be_neither_demoted_nor_removed() {
        let r = roster(2, 1);
        assert_eq!(r.clone().change_role(Role::TenantAdmin, Role::TenantMember, NOW), Err(TeamRuleError::LastAdmin));
        assert_eq!(r.clone().remove(Role::TenantAdmin, NOW), Err(TeamRuleError::LastAdmin));
        // A member may go, and a second admin makes the first one free to step down.
        assert_eq!(r.clone().remove(Role::TenantMember, NOW).unwrap().members, 1);
        let r = r.change_role(Role::TenantMember, Role::TenantAdmin, NOW).unwrap();
        let r = r.change_role(Role::TenantAdmin, Role::TenantMember, NOW).unwrap();
        assert_eq!((r.admins, r.version), (1, 2));
    }
}
