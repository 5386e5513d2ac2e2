using System.Net;
using Gateway.Core.Addresses;
using Gateway.Core.Policy;

namespace Gateway.Core.Tests.Addresses;

public sealed class AddressBookTests
{
    private static AddressBook Book(string v4 = "10.77.0.0/29", string? v6 = "fd77::/125") =>
        new(new AddressPools(IPNetwork.Parse(v4), v6 is null ? null : IPNetwork.Parse(v6), []));

    private static IReadOnlyList<IPAddress> Lease(AddressBook book, ulong session, string identity, bool replaceOthers = false, bool v6 = false)
    {
        var choice = book.Choose(session, identity, true, v6, replaceOthers);
        book.Assign(session, identity, choice.Addresses);
        return choice.Addresses;
    }

    [Fact]
    public void Two_sessions_of_one_identity_hold_different_addresses_and_a_retry_gets_the_same()
    {
        var book = Book();
        var a = Lease(book, 1, "alice");
        var b = Lease(book, 2, "alice");
        Assert.NotEqual(a, b);
        Assert.Equal(a, book.Choose(1, "alice", true, false, false).Addresses); // asked again: what it holds
        Assert.Equal(2, book.Holders);
    }

    [Fact]
    public void Released_addresses_are_sticky_and_go_to_others_only_when_the_pool_is_exhausted()
    {
        var book = Book("10.77.0.0/29", null); // .2 … .6
        var alice = Lease(book, 1, "alice").Single();
        book.Release(1);
        Assert.Equal(alice, Lease(book, 2, "alice").Single()); // a new session of alice: her address again
        book.Release(2);
        var others = Enumerable.Range(10, 4).Select(i => Lease(book, (ulong)i, $"u{i}").Single()).ToList();
        Assert.DoesNotContain(alice, others);
        Assert.Equal(alice, Lease(book, 20, "late").Single()); // nothing fresh left: the idle one goes
        Assert.Empty(Lease(book, 21, "none")); // everything held: nothing, never a duplicate
        Assert.NotEqual(alice, Lease(book, 22, "alice").SingleOrDefault());
    }

    [Fact]
    public void Replace_others_takes_the_identitys_held_address_and_names_the_sessions_it_replaces()
    {
        var book = Book();
        var old = Lease(book, 1, "alice", v6: true);
        Lease(book, 2, "bob");
        var choice = book.Choose(3, "alice", true, true, replaceOthers: true);
        Assert.Equal(old, choice.Addresses); // sticky even while the stale SA still holds it
        Assert.Equal([1ul], choice.Replaced);
        book.Assign(3, "alice", choice.Addresses);
        Assert.Empty(book.HeldBy(1));
        book.Release(1); // the stale session ends later: nothing of the new one is freed
        Assert.Equal(old, book.HeldBy(3));
    }

    [Fact]
    public void Network_gateway_and_broadcast_addresses_are_never_handed_out()
    {
        var book = Book("10.77.0.0/29", null);
        var all = Enumerable.Range(1, 5).Select(i => Lease(book, (ulong)i, $"u{i}").Single()).ToList();
        Assert.Equal(Enumerable.Range(2, 5).Select(i => IPAddress.Parse($"10.77.0.{i}")), all);
    }

    [Fact]
    public void Records_rebuild_a_book_that_decides_the_same()
    {
        var book = Book();
        Lease(book, 1, "alice", v6: true);
        Lease(book, 2, "bob");
        Lease(book, 3, "carol");
        book.Release(2);
        book.Release(3);

        var copy = Book();
        copy.Restore(book.Records());
        Assert.Equal(book.Records(), copy.Records());
        Assert.Equal(book.HeldBy(1), copy.HeldBy(1));
        foreach (var (session, identity) in new[] { (10ul, "bob"), (11ul, "dave"), (12ul, "carol") })
            Assert.Equal(Lease(book, session, identity), Lease(copy, session, identity));
    }

    [Fact]
    public void Addresses_outside_todays_pools_are_ignored()
    {
        var book = Book();
        book.Assign(1, "alice", [IPAddress.Parse("192.0.2.1")]);
        Assert.Empty(book.HeldBy(1));
        Assert.Empty(book.Records());
    }
}
