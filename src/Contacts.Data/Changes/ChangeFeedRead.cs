namespace Contacts.Data.Changes;

/// <summary>A page of the feed, or Expired: the position is older than the kept history, or from another history (answer
/// 410); and the company's stamp, read before the page on the node that read it.</summary>
public sealed record ChangeFeedRead(ChangeFeedPage? Page, ChangeStamp Stamp)
{
    public bool Expired => Page is null;
}
