//! Typed ids of things that cross a slice boundary. A `GroupId` can never be passed
//! where a `ConditionId` is meant.

pub use kernel::ids::MemberId;

kernel::typed_id!(
    /// A community group.
    GroupId
);
kernel::typed_id!(
    /// A discussion thread (its opening post).
    ThreadId
);
kernel::typed_id!(
    /// A reply in a thread.
    PostId
);
kernel::typed_id!(
    /// A scheduled event (webinar, panel, conference session …).
    EventId
);
kernel::typed_id!(
    /// A health condition of the shared reference list.
    ConditionId
);
