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

    /// <summary>A duration: a number with a unit ms, s, m or h ("500ms", "30s", "10m", "4h"), within [min, max].</summary>
    public TimeSpan Duration(string key, TimeSpan min, TimeSpan max)
    {
        HoconValue value = Value(key);
        string text = value.IsString() ? value.GetString().Trim() : "";
        return ParseDuration(key, text, min, max);
    }

    /// <summary>A duration, or null when the value is "off".</summary>
    public TimeSpan? OptionalDuration(string key, TimeSpan min, TimeSpan max)
    {
        HoconValue value = Value(key);
        string text = value.IsString() ? value.GetString().Trim() : "";
        return text.Equals("off", StringComparison.OrdinalIgnoreCase) ? null : ParseDuration(key, text, min, max);
    }

    /// <summary>A non-empty list of durations.</summary>
    public IReadOnlyList<TimeSpan> DurationList(string key, TimeSpan min, TimeSpan max)
    {
        HoconValue value = Value(key);
        if (!value.IsArray())
            throw new ConfigurationError(key, "expected a list of durations, e.g. [2s, 4s, 8s]");
        var result = new List<TimeSpan>();
        foreach (HoconValue item in value.GetArray())
            result.Add(ParseDuration(key, item.IsString() ? item.GetString().Trim() : "", min, max));
        if (result.Count == 0)
            throw new ConfigurationError(key, "must not be empty");
        return result;
    }

    private static TimeSpan ParseDuration(string key, string text, TimeSpan min, TimeSpan max)
    {
        int unitAt = 0;
        while (unitAt < text.Length && (char.IsAsciiDigit(text[unitAt]) || text[unitAt] == '.'))
            unitAt++;
        string unit = text[unitAt..].Trim();
        if (unitAt == 0 || !double.TryParse(text[..unitAt], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n))
            throw new ConfigurationError(key, $"expected a duration like 30s, 500ms, 10m or 4h, got '{text}'");
        TimeSpan result = unit switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => throw new ConfigurationError(key, $"expected a duration like 30s, 500ms, 10m or 4h, got '{text}'"),
        };
        if (result < min || result > max)
            throw new ConfigurationError(key, $"{text} is out of range {min}..{max}");
        return result;
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
}
