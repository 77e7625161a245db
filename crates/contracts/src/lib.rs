//! The contracts between slices: everything that crosses a slice boundary, and nothing
//! else. A slice crate depends on the kernel and on this crate, never on another slice.
//!
//! - [`ids`]: typed ids of things one slice refers to in another.
//! - [`events`]: domain events, each a type with its kind, published to the outbox by
//!   the slice that owns the change and consumed by others in their own transactions.
//! - [`opportunities`]: the paid-opportunities area's events.
//! - [`eligibility`]: who may take part in what a partner commissions (shared rule).
//! - [`surveys`]: the surveys' incentive event and the partner-contacts port.
//! - [`awards`]: the awards' port for a member's public honours (profile badges).
//! - [`calendar`]: the events area's port for event times (the awards' ceremony).
//! - [`digest`]: the parts of a member's weekly newsletter, each read as that member.
//! - [`learning`]: the learning area's port (shown credentials, search, new this month).
//! - [`moments`]: support requests' notices and conversations, and tagged content.
//! - [`newsletter`]: the newsletter's operator commands (`shn newsletter`).
//! - [`members`] and [`groups`]: read ports, traits that the owning slice implements and
//!   provides while the application is wired; other slices reach them with
//!   [`members::directory`] and [`groups::directory`].

// The opportunities' events are declared with the same macro.
#[macro_use]
pub mod events;
pub mod awards;
pub mod calendar;
pub mod digest;
pub mod eligibility;
pub mod groups;
pub mod home;
pub mod ids;
pub mod learning;
pub mod members;
pub mod moments;
pub mod newsletter;
pub mod opportunities;
pub mod surveys;
