using Contacts.Contracts;

namespace Contacts.Data.Changes;

/// <summary>One page of the feed: its changes in order, the position after them, and whether more are ready now.</summary>
public sealed record ChangeFeedPage(IReadOnlyList<ContactChange> Changes, ChangePosition Next, bool HasMore);
