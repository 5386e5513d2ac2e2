namespace Gateway.Ike;

/// <summary>Security protocol IDs in proposals, notifies and deletes (RFC 7296 §3.3.1).</summary>
public enum ProtocolId : byte
{
    None = 0,
    Ike = 1,
    Ah = 2,
    Esp = 3,
}

/// <summary>Authentication methods of the AUTH payload (RFC 7296 §3.8, RFC 4754, RFC 7427, RFC 7619).</summary>
public enum AuthMethod : byte
{
    RsaDigitalSignature = 1,
    SharedKeyMessageIntegrityCode = 2,
    DssDigitalSignature = 3,
    EcdsaSha256P256 = 9,
    EcdsaSha384P384 = 10,
    EcdsaSha512P521 = 11,
    GenericSecurePasswordAuthentication = 12,
    Null = 13,
    DigitalSignature = 14,
}

/// <summary>Identification types of IDi/IDr (RFC 7296 §3.5, RFC 4595, RFC 7619).</summary>
public enum IdType : byte
{
    Ipv4Address = 1,
    Fqdn = 2,
    Rfc822Address = 3,
    Ipv6Address = 5,
    DerAsn1Dn = 9,
    DerAsn1Gn = 10,
    KeyId = 11,
    FcName = 12,
    Null = 13,
}

/// <summary>Certificate encodings of CERT and CERTREQ (RFC 7296 §3.6, RFC 4806, RFC 7670).</summary>
public enum CertificateEncoding : byte
{
    Pkcs7WrappedX509 = 1,
    Pgp = 2,
    DnsSignedKey = 3,
    X509Signature = 4,
    Kerberos = 6,
    CertificateRevocationList = 7,
    AuthorityRevocationList = 8,
    Spki = 9,
    X509Attribute = 10,
    RawRsaKey = 11,
    HashAndUrlX509 = 12,
    HashAndUrlX509Bundle = 13,
    OcspContent = 14,
    RawPublicKey = 15,
}

/// <summary>Traffic selector types (RFC 7296 §3.13.1, RFC 4595).</summary>
public enum TrafficSelectorType : byte
{
    Ipv4AddressRange = 7,
    Ipv6AddressRange = 8,
    FcAddressRange = 9,
}

/// <summary>CP payload types (RFC 7296 §3.15).</summary>
public enum ConfigurationType : byte
{
    Request = 1,
    Reply = 2,
    Set = 3,
    Ack = 4,
}

/// <summary>Configuration attribute types (RFC 7296 §3.15.1 and IANA additions).</summary>
public enum ConfigurationAttributeType : ushort
{
    InternalIp4Address = 1,
    InternalIp4Netmask = 2,
    InternalIp4Dns = 3,
    InternalIp4Nbns = 4,
    InternalIp4Dhcp = 6,
    ApplicationVersion = 7,
    InternalIp6Address = 8,
    InternalIp6Dns = 10,
    InternalIp6Dhcp = 12,
    InternalIp4Subnet = 13,
    SupportedAttributes = 14,
    InternalIp6Subnet = 15,
    Mip6HomePrefix = 16,
    InternalIp6Link = 17,
    InternalIp6Prefix = 18,
    HomeAgentAddress = 19,
    PCscfIp4Address = 20,
    PCscfIp6Address = 21,
    FttKat = 22,
    ExternalSourceIp4NatInfo = 23,
    TimeoutPeriodForLivenessCheck = 24,
    InternalDnsDomain = 25,
    InternalDnssecTa = 26,
}

/// <summary>Hash algorithms of SIGNATURE_HASH_ALGORITHMS (RFC 7427 §7, RFC 8420).</summary>
public enum SignatureHashAlgorithm : ushort
{
    Sha1 = 1,
    Sha2_256 = 2,
    Sha2_384 = 3,
    Sha2_512 = 4,
    Identity = 5,
}

/// <summary>Gateway identity types of REDIRECT and REDIRECTED_FROM (RFC 5685 §10).</summary>
public enum GatewayIdentityType : byte
{
    Ipv4Address = 1,
    Ipv6Address = 2,
    Fqdn = 3,
}
