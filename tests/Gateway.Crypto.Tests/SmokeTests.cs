namespace Gateway.Crypto.Tests;
public class SmokeTests { [Fact] public void Builds() => Assert.True(true); }
