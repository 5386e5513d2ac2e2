namespace Gateway.Crypto.Tests;

internal static class Hex
{
    /// <summary>Hex as RFCs print it: whitespace ignored.</summary>
    public static byte[] H(string s) => Convert.FromHexString(string.Concat(s.Where(c => !char.IsWhiteSpace(c))));

    public static string S(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(b);
}
