using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Gateway.Configuration;

/// <summary>
/// Typed reads of HOCON values that fail with a <see cref="ConfigurationError"/> naming the key, instead of Akka's
/// silent defaults or context-free exceptions.
/// </summary>
internal sealed class HoconValues(Config config)
{
    public HoconValue Value(string key)
    {
        HoconValue? value = config.HasPath(key) ? config.GetValue(key) : null;
        if (value is null)
            throw new ConfigurationError(key, "missing (every key has a default in hocon/gateway.conf; was it set to null?)");
        return value;
    }

    public string String(string key)
    {
        HoconValue value = Value(key);
        if (!value.IsString())
            throw new ConfigurationError(key, "expected a string");
        return value.GetString();
    }

    public int Int(string key, int min, int max)
    {
        HoconValue value = Value(key);
        string text = value.IsString() ? value.GetString() : "";
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result))
            throw new ConfigurationError(key, $"expected an integer, got '{text}'");
        if (result < min || result > max)
            throw new ConfigurationError(key, $"{result} is out of range {min}..{max}");
        return result;
    }

    public bool Bool(string key)
    {
        HoconValue value = Value(key);
        string text = value.IsString() ? value.GetString() : "";
        return text.ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw new ConfigurationError(key, $"expected on/off (true/false), got '{text}'"),
        };
    }

    public IReadOnlyList<string> StringList(string key)
    {
        HoconValue value = Value(key);
        var result = new List<string>();
        // Akka's parser gives "[]" a value that is neither array, string nor object.
        if (!value.IsArray() && !value.IsString() && !value.IsObject())
            return result;
        if (!value.IsArray())
            throw new ConfigurationError(key, "expected a list, e.g. [\"a\", \"b\"]");
        foreach (HoconValue item in value.GetArray())
        {
            if (!item.IsString())
                throw new ConfigurationError(key, $"entry {result.Count + 1} is not a string");
            result.Add(item.GetString());
        }
        return result;
    }

    /// <summary>An object whose values are all strings (user → password, identity → secret).</summary>
    public IReadOnlyDictionary<string, string> StringMap(string key)
    {
        HoconValue value = Value(key);
        if (!value.IsObject())
            throw new ConfigurationError(key, "expected an object, e.g. { name = \"value\" }");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, HoconValue item) in value.GetObject().Items)
        {
            if (!item.IsString())
                throw new ConfigurationError(key, $"the value of '{name}' is not a string");
            result[name] = item.GetString();
        }
        return result;
    }

    /// <summary>A duration like "30s", "500ms", "10m", "4h", "1d" within [min, max]. A bare number is refused: its unit would be a guess.</summary>
    public TimeSpan Duration(string key, TimeSpan min, TimeSpan max) => InRange(key, ParseDuration(key, String(key)), min, max);

    /// <summary>A duration, or null for "off".</summary>
    public TimeSpan? OptionalDuration(string key, TimeSpan min, TimeSpan max) =>
        IsOff(String(key)) ? null : Duration(key, min, max);

    public IReadOnlyList<TimeSpan> DurationList(string key, TimeSpan min, TimeSpan max) =>
        StringList(key).Select(text => InRange(key, ParseDuration(key, text), min, max)).ToList();

    public double Double(string key, double min, double max)
    {
        string text = String(key);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double result) || !double.IsFinite(result))
            throw new ConfigurationError(key, $"expected a number, got '{text}'");
        if (result < min || result > max)
            throw new ConfigurationError(key, $"{result.ToString(CultureInfo.InvariantCulture)} is out of range " +
                $"{min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
        return result;
    }

    /// <summary>A number, or null for "off".</summary>
    public double? OptionalDouble(string key, double min, double max) => IsOff(String(key)) ? null : Double(key, min, max);

    private static bool IsOff(string text) => text.Equals("off", StringComparison.OrdinalIgnoreCase);

    private static TimeSpan InRange(string key, TimeSpan value, TimeSpan min, TimeSpan max) =>
        value < min || value > max
            ? throw new ConfigurationError(key, $"{Text(value)} is out of range {Text(min)}..{Text(max)}")
            : value;

    private static string Text(TimeSpan t) => t.ToString("c", CultureInfo.InvariantCulture);

    private static TimeSpan ParseDuration(string key, string text)
    {
        string trimmed = text.Trim();
        int unitAt = 0;
        while (unitAt < trimmed.Length && (char.IsAsciiDigit(trimmed[unitAt]) || trimmed[unitAt] == '.'))
            unitAt++;
        if (unitAt == 0 || !double.TryParse(trimmed[..unitAt], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
            throw new ConfigurationError(key, $"expected a duration like 30s, 500ms, 10m or 4h, got '{text}'");
        // The HOCON duration units (Akka and Typesafe Config accept the same names).
        double? perUnit = trimmed[unitAt..].Trim() switch
        {
            "ms" or "millis" or "millisecond" or "milliseconds" => 1,
            "s" or "second" or "seconds" => 1_000,
            "m" or "minute" or "minutes" => 60_000,
            "h" or "hour" or "hours" => 3_600_000,
            "d" or "day" or "days" => 86_400_000,
            _ => null,
        };
        if (perUnit is not { } ms)
            throw new ConfigurationError(key, $"expected a duration like 30s, 500ms, 10m or 4h, got '{text}' (the unit is required)");
        return TimeSpan.FromMilliseconds(amount * ms);
    }
}
