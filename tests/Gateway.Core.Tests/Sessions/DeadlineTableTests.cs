using Gateway.Core.Sessions;

namespace Gateway.Core.Tests.Sessions;

public sealed class DeadlineTableTests
{
    private static TimeSpan S(int seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Earliest_IsTheSmallestPendingDueTime()
    {
        var table = new DeadlineTable();
        Assert.Null(table.Earliest);
        table.Set("rekey", S(300));
        table.Set("liveness", S(30));
        table.Set("poll", S(10));
        Assert.Equal(S(10), table.Earliest);
        table.Cancel("poll");
        Assert.Equal(S(30), table.Earliest);
    }

    [Fact]
    public void Set_AgainReplacesTheKeysDeadline()
    {
        var table = new DeadlineTable();
        table.Set("liveness", S(30));
        table.Set("liveness", S(60));
        Assert.Equal(1, table.Count);
        Assert.Equal(S(60), table.Earliest);
        Assert.Null(table.TakeDue(S(59)));
        Assert.Equal("liveness", table.TakeDue(S(60)));
    }

    [Fact]
    public void TakeDue_ReturnsDueKeysEarliestFirst_AndLeavesTheRest()
    {
        var table = new DeadlineTable();
        table.Set("c", S(30));
        table.Set("a", S(10));
        table.Set("b", S(20));
        table.Set("later", S(100));
        Assert.Equal("a", table.TakeDue(S(50)));
        Assert.Equal("b", table.TakeDue(S(50)));
        Assert.Equal("c", table.TakeDue(S(50)));
        Assert.Null(table.TakeDue(S(50)));
        Assert.True(table.IsPending("later"));
        Assert.Equal(S(100), table.Earliest);
    }

    [Fact]
    public void Cancelled_KeyNeverFires()
    {
        var table = new DeadlineTable();
        table.Set("a", S(1));
        table.Set("b", S(2));
        Assert.Equal("a", table.TakeDue(S(5)));
        table.Cancel("b"); // what "a" did when it fired
        Table_IsEmpty(table);
        table.Cancel("unknown");
        Table_IsEmpty(table);
    }

    private static void Table_IsEmpty(DeadlineTable table)
    {
        Assert.Null(table.TakeDue(S(1000)));
        Assert.Null(table.Earliest);
        Assert.Equal(0, table.Count);
    }
}
