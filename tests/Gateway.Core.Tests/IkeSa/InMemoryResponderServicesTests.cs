using System.Net;
using Gateway.Core.IkeSa;
using Gateway.Core.Policy;

namespace Gateway.Core.Tests.IkeSa;

public sealed class InMemoryResponderServicesTests
{
    private static InMemoryResponderServices Services(string v4 = "10.77.0.0/29", string? v6 = "fd77::/125") =>
        new(new AddressPools(IPNetwork.Parse(v4), v6 is null ? null : IPNetwork.Parse(v6), []));

    [Fact]
    public void Esp_spis_are_unique_never_reserved_and_released()
    {
        var services = Services();
        var spis = Enumerable.Range(0, 2000).Select(_ => services.AllocateEspSpi()).ToList();
        Assert.Equal(spis.Count, spis.Distinct().Count());
        Assert.All(spis, s => Assert.True(s > 255));
        Assert.Equal(2000, services.EspSpisInUse);
        services.ReleaseEspSpi(spis[0]);
        Assert.Equal(1999, services.EspSpisInUse);
    }

    [Fact]
    public void Addresses_are_unique_per_identity_and_skip_network_gateway_and_broadcast()
    {
        var services = Services();
        var leased = Enumerable.Range(0, 5).Select(i => services.LeaseAddresses($"user{i}", true, false).Single()).ToList();
        Assert.Equal(leased.Count, leased.Distinct().Count());
        Assert.DoesNotContain(IPAddress.Parse("10.77.0.0"), leased);
        Assert.DoesNotContain(IPAddress.Parse("10.77.0.1"), leased);
        Assert.DoesNotContain(IPAddress.Parse("10.77.0.7"), leased);
        Assert.Empty(services.LeaseAddresses("user5", true, false)); // /29: .2 … .6 only
    }

    [Fact]
    public void Same_identity_gets_the_same_addresses_again_after_release()
    {
        var services = Services();
        var first = services.LeaseAddresses("alice", true, true);
        Assert.Equal(2, first.Count);
        services.LeaseAddresses("bob", true, true);
        services.ReleaseAddresses("alice", first);
        Assert.Equal(first, services.LeaseAddresses("alice", true, true));
    }

    [Fact]
    public void Concurrent_sas_of_one_identity_get_different_addresses()
    {
        var services = Services("10.77.0.0/29", null);
        var a = services.LeaseAddresses("alice", true, false).Single();
        var b = services.LeaseAddresses("alice", true, false).Single();
        Assert.NotEqual(a, b); // two clients of one identity never share an address
        services.ReleaseAddresses("alice", [a]);
        Assert.Equal(a, services.LeaseAddresses("alice", true, false).Single()); // the idle one of the identity comes back
    }

    [Fact]
    public void A_held_address_is_never_given_away_even_when_the_pool_is_exhausted()
    {
        var services = Services("10.77.0.0/30", null); // one client address: .2
        var a = services.LeaseAddresses("alice", true, false).Single();
        Assert.Empty(services.LeaseAddresses("bob", true, false));
        services.ReleaseAddresses("alice", [a]);
        Assert.Equal(a, services.LeaseAddresses("bob", true, false).Single()); // exhausted: the idle reservation goes
    }

    [Fact]
    public void Released_addresses_go_to_others_only_when_no_fresh_address_is_left()
    {
        var services = Services("10.77.0.0/29", null);
        var alice = services.LeaseAddresses("alice", true, false).Single();
        services.ReleaseAddresses("alice", [alice]);
        var others = Enumerable.Range(0, 4).Select(i => services.LeaseAddresses($"u{i}", true, false).Single()).ToList();
        Assert.DoesNotContain(alice, others);
        Assert.Equal(alice, services.LeaseAddresses("late", true, false).Single());
        Assert.NotEqual(alice, services.LeaseAddresses("alice", true, false).SingleOrDefault());
    }

    [Fact]
    public void Only_families_asked_for_and_present_are_leased()
    {
        var services = Services(v6: null);
        var result = services.LeaseAddresses("alice", true, true);
        Assert.Single(result);
        Assert.Empty(services.LeaseAddresses("bob", false, true));
    }

    [Fact]
    public void Leasing_is_thread_safe()
    {
        var services = Services("10.77.0.0/20", null);
        var results = new System.Collections.Concurrent.ConcurrentBag<IPAddress>();
        Parallel.For(0, 2000, i => results.Add(services.LeaseAddresses($"user{i}", true, false).Single()));
        Assert.Equal(2000, results.Distinct().Count());
    }
}
