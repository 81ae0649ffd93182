using WellWon.Grains.Domain;
using WellWon.Grains.Storage;

namespace WellWon.Grains;

/// <summary>
/// The newest messages of one channel, kept write-through by the channel grain (the channel's only writer), so recent
/// pages, single messages and unread counts are answered without the store. Every message with an ID at or above
/// <see cref="CoverFrom"/> is held; below it nothing is known. Not thread-safe (used within grain turns).
/// </summary>
internal sealed class HotWindow
{
    private readonly SortedList<long, MessageRecord> _messages = [];
    private readonly int _capacity;

    public HotWindow(int capacity)
    {
        _capacity = capacity;
        CoverFrom = capacity == 0 ? long.MaxValue : 0;
    }

    /// <summary>Every message with an ID &gt;= this is in the window (0: the whole channel; long.MaxValue: nothing).</summary>
    public long CoverFrom { get; private set; }

    public int Count => _messages.Count;

    /// <summary>Seeds the window with the newest messages (any order); <paramref name="complete"/> when they are the whole channel.</summary>
    public void Load(IEnumerable<MessageRecord> newest, bool complete)
    {
        _messages.Clear();
        if (_capacity == 0)
        {
            return;
        }

        foreach (var message in newest)
        {
            _messages[message.MessageId] = message;
        }

        CoverFrom = complete ? 0 : (_messages.Count > 0 ? _messages.Keys[0] : long.MaxValue);
        Trim();
    }

    /// <summary>Adds or replaces a message (a new message is always newer than the cover bound).</summary>
    public void Put(MessageRecord message)
    {
        if (_capacity == 0 || message.MessageId < CoverFrom)
        {
            return;
        }

        _messages[message.MessageId] = message;
        Trim();
    }

    /// <summary>Replaces a held message; ignores messages outside the window.</summary>
    public void Replace(MessageRecord message)
    {
        if (_messages.ContainsKey(message.MessageId))
        {
            _messages[message.MessageId] = message;
        }
    }

    /// <summary>True when the window knows the answer for this ID: <paramref name="message"/> is it, or null when no such message exists.</summary>
    public bool TryGet(long messageId, out MessageRecord? message)
    {
        if (messageId >= CoverFrom)
        {
            message = _messages.GetValueOrDefault(messageId);
            return true;
        }

        message = null;
        return false;
    }

    /// <summary>
    /// A page as <see cref="MessageHistoryReader"/> would read it, or null when the window cannot answer it in full.
    /// </summary>
    public List<MessageRecord>? TryRead(HistoryQuery query, MembershipWindows? visibility)
    {
        if (_capacity == 0 || CoverFrom == long.MaxValue)
        {
            return null;
        }

        // A reader whose visibility starts inside the window is fully covered by it.
        var lowestVisible = visibility is null ? 0 : (visibility.Windows.IsEmpty ? long.MaxValue : visibility.Windows[0].ToIdRange().First);
        var coveredFrom = lowestVisible >= CoverFrom ? 0 : CoverFrom;
        if (query.Around is { } around)
        {
            if (around < coveredFrom - 1)
            {
                return null;
            }

            var newer = Forward(around, query.Limit / 2, visibility);
            var older = Backward(around == long.MaxValue ? null : around + 1, query.Limit - newer.Count, visibility, coveredFrom);
            if (older is null)
            {
                return null;
            }

            newer.Reverse();
            newer.AddRange(older);
            return newer;
        }

        if (query.After is { } after && query.Before is null)
        {
            if (after < coveredFrom - 1)
            {
                return null;
            }

            var forward = Forward(after, query.Limit, visibility);
            forward.Reverse();
            return forward;
        }

        if (query.After is { } lower)
        {
            // Both bounds: newest first between them; answerable when the lower bound is covered.
            if (lower < coveredFrom - 1)
            {
                return null;
            }

            return Backward(query.Before, query.Limit, visibility, 0, lower);
        }

        return Backward(query.Before, query.Limit, visibility, coveredFrom);
    }

    /// <summary>Messages by others after <paramref name="position"/> that the viewer may see and that are not deleted, or null when the window cannot tell.</summary>
    public int? TryCountUnread(Guid viewerId, long position, MembershipWindows visibility, int limit)
    {
        var lowestVisible = visibility.Windows.IsEmpty ? long.MaxValue : visibility.Windows[0].ToIdRange().First;
        if (_capacity == 0 || (position < CoverFrom - 1 && lowestVisible < CoverFrom))
        {
            return null;
        }

        var count = 0;
        var keys = _messages.Keys;
        for (var i = keys.Count - 1; i >= 0 && keys[i] > position && count < limit; i--)
        {
            var message = _messages.Values[i];
            if (message.AuthorId != viewerId && !message.Deleted && visibility.CanSee(message.MessageId))
            {
                count++;
            }
        }

        return count;
    }

    private List<MessageRecord> Forward(long after, int limit, MembershipWindows? visibility)
    {
        var result = new List<MessageRecord>();
        var keys = _messages.Keys;
        for (var i = SortedKeys.LowerBound(keys, after == long.MaxValue ? long.MaxValue : after + 1); i < keys.Count && result.Count < limit; i++)
        {
            if (keys[i] > after && (visibility is null || visibility.CanSee(keys[i])))
            {
                result.Add(_messages.Values[i]);
            }
        }

        return result;
    }

    private List<MessageRecord>? Backward(long? before, int limit, MembershipWindows? visibility, long coveredFrom, long after = -1)
    {
        var result = new List<MessageRecord>();
        if (limit <= 0)
        {
            return result;
        }

        var keys = _messages.Keys;
        for (var i = (before is { } b ? SortedKeys.LowerBound(keys, b) : keys.Count) - 1; i >= 0 && result.Count < limit && keys[i] > after; i--)
        {
            if (visibility is null || visibility.CanSee(keys[i]))
            {
                result.Add(_messages.Values[i]);
            }
        }

        // Short of the limit, the page is complete only when nothing older can exist outside the window.
        return result.Count == limit || coveredFrom == 0 || after >= coveredFrom - 1 ? result : null;
    }

    private void Trim()
    {
        while (_messages.Count > _capacity)
        {
            _messages.RemoveAt(0);
            CoverFrom = _messages.Keys[0];
        }
    }

}
