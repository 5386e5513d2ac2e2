using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Gateway.Interop.Tests.Lab;

/// <summary>What came back from a flood of IKE_SA_INIT requests.</summary>
public sealed record FloodResult(int Sources, int Sent, int CookieAnswers, int FullAnswers, int OtherAnswers, TimeSpan Duration)
{
    public override string ToString() =>
        $"{Sent} IKE_SA_INIT requests from {Sources} sources in {Duration.TotalSeconds:0.0} s: {CookieAnswers} answered " +
        $"with N(COOKIE), {FullAnswers} with a full IKE_SA_INIT response (SA, KE: state kept), {OtherAnswers} otherwise";
}

/// <summary>
/// A bounded IKE_SA_INIT flood from many made-up sources: UDP sockets in the client namespace bound to addresses of
/// the spoof net 10.99.6.0/24 (paths.sh makes all of it local there and routes it back from the gateway), each sending
/// fresh IKE_SA_INIT requests (new SPI, random nonce and MODP-2048 public value, proposal aes256-sha256-modp2048) to
/// the gateway's port 500. The answers are read back and sorted: N(COOKIE) (stateless) or a full response.
/// </summary>
public static class SaInitFlood
{
    /// <summary>
    /// Sends <paramref name="perSource"/> requests from each of <paramref name="sources"/> addresses (10.99.6.1 …),
    /// spread over about <paramref name="duration"/>, then collects answers for a moment.
    /// </summary>
    public static async Task<FloodResult> RunAsync(LabTopology lab, IPAddress gateway, int sources, int perSource, TimeSpan duration)
    {
        if (sources is < 1 or > 250)
            throw new ArgumentOutOfRangeException(nameof(sources), "1..250 sources in 10.99.6.0/24");
        List<Socket> sockets = OpenInNamespace(lab.ClientNs, sources);
        var clock = Stopwatch.StartNew();
        int sent = 0, cookies = 0, full = 0, other = 0;
        var target = new IPEndPoint(gateway, 500);
        var buffer = new byte[4096];
        try
        {
            TimeSpan pause = duration / Math.Max(1, perSource);
            for (int round = 0; round < perSource; round++)
            {
                foreach (Socket s in sockets)
                {
                    s.SendTo(SaInitRequest(), target);
                    sent++;
                }
                Drain(sockets, buffer, ref cookies, ref full, ref other);
                await Task.Delay(pause);
            }
            // Late answers.
            var settle = Stopwatch.StartNew();
            while (settle.Elapsed < TimeSpan.FromSeconds(1.5))
            {
                Drain(sockets, buffer, ref cookies, ref full, ref other);
                await Task.Delay(50);
            }
        }
        finally
        {
            foreach (Socket s in sockets)
                s.Dispose();
        }
        return new FloodResult(sources, sent, cookies, full, other, clock.Elapsed);
    }

    private static void Drain(List<Socket> sockets, byte[] buffer, ref int cookies, ref int full, ref int other)
    {
        foreach (Socket s in sockets)
        {
            while (s.Available > 0)
            {
                int n = s.Receive(buffer);
                switch (Classify(buffer.AsSpan(0, n)))
                {
                    case Answer.Cookie: cookies++; break;
                    case Answer.Full: full++; break;
                    default: other++; break;
                }
            }
        }
    }

    private enum Answer { Cookie, Full, Other }

    private static Answer Classify(ReadOnlySpan<byte> m)
    {
        // IKE header: exchange 34 (IKE_SA_INIT), response flag; first payload Notify(41) with type COOKIE (16390) or SA(33).
        if (m.Length < 28 || m[18] != 34 || (m[19] & 0x20) == 0)
            return Answer.Other;
        if (m[16] == 41 && m.Length >= 36 && BinaryPrimitives.ReadUInt16BigEndian(m[34..]) == 16390)
            return Answer.Cookie;
        return m[16] == 33 ? Answer.Full : Answer.Other;
    }

    /// <summary>Creates the sockets inside the namespace (a socket stays in the namespace it was made in).</summary>
    private static List<Socket> OpenInNamespace(string ns, int count) => NetNs.Run(ns, () =>
    {
        var sockets = new List<Socket>();
        try
        {
            for (int i = 1; i <= count; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                sockets.Add(s);
                s.Bind(new IPEndPoint(IPAddress.Parse($"10.99.6.{i}"), 20000 + RandomNumberGenerator.GetInt32(30000)));
            }
            return sockets;
        }
        catch
        {
            foreach (Socket s in sockets)
                s.Dispose();
            throw;
        }
    });

    /// <summary>A fresh IKE_SA_INIT request: SA (IKE: AES-CBC-256, HMAC-SHA2-256 PRF and 128-bit integrity, MODP-2048), KE, Ni.</summary>
    private static byte[] SaInitRequest()
    {
        byte[] transforms =
        [
            3, 0, 0, 12, 1, 0, 0, 12, 0x80, 0x0E, 0x01, 0x00, // ENCR AES_CBC, key length 256
            3, 0, 0, 8, 2, 0, 0, 5,                           // PRF HMAC_SHA2_256
            3, 0, 0, 8, 3, 0, 0, 12,                          // INTEG HMAC_SHA2_256_128
            0, 0, 0, 8, 4, 0, 0, 14,                          // D-H MODP_2048
        ];
        int proposalLength = 8 + transforms.Length;
        int saLength = 4 + proposalLength;
        const int keLength = 4 + 4 + 256;
        const int nonceLength = 4 + 32;
        int total = 28 + saLength + keLength + nonceLength;
        var m = new byte[total];
        RandomNumberGenerator.Fill(m.AsSpan(0, 8));               // SPIi; SPIr stays 0
        m[16] = 33;                                               // next payload: SA
        m[17] = 0x20;                                             // IKEv2
        m[18] = 34;                                               // IKE_SA_INIT
        m[19] = 0x08;                                             // Initiator
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(24), (uint)total);
        int o = 28;
        m[o] = 34; BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(o + 2), (ushort)saLength); o += 4;          // SA → KE
        m[o] = 0; BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(o + 2), (ushort)proposalLength);             // last proposal
        m[o + 4] = 1; m[o + 5] = 1; m[o + 6] = 0; m[o + 7] = 4; o += 8;                                       // #1, IKE, no SPI, 4 transforms
        transforms.CopyTo(m, o); o += transforms.Length;
        m[o] = 40; BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(o + 2), keLength);                          // KE → Nonce
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(o + 4), 14); o += 8;
        RandomNumberGenerator.Fill(m.AsSpan(o, 256));
        m[o] &= 0x7F; // below the MODP-2048 prime
        o += 256;
        m[o] = 0; BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(o + 2), nonceLength); o += 4;                // Nonce, last
        RandomNumberGenerator.Fill(m.AsSpan(o, 32));
        return m;
    }
}
