namespace Gateway.Ike;

/// <summary>Where and why parsing failed: enough for a debug log line and for choosing the error notify to send.</summary>
/// <param name="Error">The kind of defect.</param>
/// <param name="PayloadType">The payload being parsed when it was found (None for the header).</param>
/// <param name="Offset">Byte offset in the parsed buffer of the structure at fault.</param>
/// <param name="Detail">A short human text; never contains packet bytes.</param>
public readonly record struct IkeParseFailure(IkeParseError Error, PayloadType PayloadType, int Offset, string Detail)
{
    public override string ToString() => $"{Error} at offset {Offset} ({PayloadType}): {Detail}";
}

/// <summary>Either a parsed value or a typed failure. Parsing never throws for any input.</summary>
public readonly struct IkeParseResult<T> where T : class
{
    private IkeParseResult(T? value, IkeParseFailure failure)
    {
        Value = value;
        Failure = failure;
    }

    /// <summary>The parsed value; null exactly when <see cref="IsSuccess"/> is false.</summary>
    public T? Value { get; }

    /// <summary>The failure; <see cref="IkeParseError.None"/> on success.</summary>
    public IkeParseFailure Failure { get; }

    public IkeParseError Error => Failure.Error;

    public bool IsSuccess => Failure.Error == IkeParseError.None;

    public static IkeParseResult<T> Ok(T value) => new(value, default);

    public static IkeParseResult<T> Fail(IkeParseFailure failure) => new(null, failure);

    public override string ToString() => IsSuccess ? $"Ok({Value})" : Failure.ToString();
}
