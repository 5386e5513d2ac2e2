using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace Gateway.Core.Persistence;

/// <summary>
/// Akka serializer for the session journal (<see cref="SessionEvent"/>s): each event is a <see cref="StateCipher"/>
/// envelope (version | kind | key id | nonce | tag | AES-256-GCM ciphertext). Kinds: 1 = <see cref="IkeSaStateSaved"/>
/// (body: <see cref="IkeSaSnapshotCodec"/>), 2 = <see cref="IkeSaStateDeleted"/> (body: reason, UTF-8). The manifest
/// names the kind only; the version travels in the blob, so a node reads every version up to its own and names a newer
/// one it cannot read. Keys come from <see cref="StateKeys"/> (configured at start; see hocon/gateway.conf).
/// </summary>
public sealed class SessionStateSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4301; // RFC 4301 (IPsec architecture); Akka reserves 0–100.
    private const string SavedManifest = "ike-sa-state";
    private const string DeletedManifest = "ike-sa-deleted";
    private const byte SavedKind = 1;
    private const byte DeletedKind = 2;
    private const byte DeletedV1 = 1;

    public override int Identifier => SerializerId;

    private StateKeyRing Keys => StateKeys.Get(system).Ring;

    public override string Manifest(object o) => o switch
    {
        IkeSaStateSaved => SavedManifest,
        IkeSaStateDeleted => DeletedManifest,
        _ => throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        IkeSaStateSaved s => Encode(s, Keys),
        IkeSaStateDeleted d => Encode(d, Keys),
        _ => throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest is not (SavedManifest or DeletedManifest))
            throw new SerializationException($"Unknown session state manifest '{manifest}'");
        return Decode(bytes, Keys);
    }

    public static byte[] Encode(SessionEvent e, StateKeyRing keys) => e switch
    {
        IkeSaStateSaved s => StateCipher.Seal(IkeSaSnapshotCodec.Current, SavedKind, IkeSaSnapshotCodec.Write(s.Snapshot), keys.Current),
        IkeSaStateDeleted d => StateCipher.Seal(DeletedV1, DeletedKind, System.Text.Encoding.UTF8.GetBytes(d.Reason), keys.Current),
        _ => throw new ArgumentException($"Cannot serialize {e.GetType()}", nameof(e)),
    };

    /// <summary>Decodes any version this node knows; <see cref="StateFormatException"/> names what is wrong.</summary>
    public static SessionEvent Decode(byte[] blob, StateKeyRing keys)
    {
        var (version, kind, body) = StateCipher.Open(blob, keys);
        try
        {
            return kind switch
            {
                SavedKind => new IkeSaStateSaved(IkeSaSnapshotCodec.Read(version, body)),
                DeletedKind when version == DeletedV1 => new IkeSaStateDeleted(System.Text.Encoding.UTF8.GetString(body)),
                DeletedKind => throw new StateFormatException($"IKE SA tombstone version {version} is not known to this gateway (it reads up to {DeletedV1})"),
                _ => throw new StateFormatException($"unknown session state kind {kind}"),
            };
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(body);
        }
    }
}
