namespace Gateway.Configuration;

/// <summary>
/// The EAP users file: one <c>name = password</c> per line; blank lines and lines starting with '#' are ignored.
/// The password is everything after the first '=', trimmed, so it may contain '=' itself.
/// </summary>
public static class UsersFile
{
    public static IEnumerable<KeyValuePair<string, string>> Parse(IEnumerable<string> lines, string key)
    {
        int number = 0;
        foreach (string raw in lines)
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            int eq = line.IndexOf('=');
            string name = eq < 0 ? "" : line[..eq].Trim();
            string password = eq < 0 ? "" : line[(eq + 1)..].Trim();
            // Never echo the line: it holds a password.
            if (name.Length == 0 || password.Length == 0)
                throw new ConfigurationError(key, $"line {number} is not 'name = password'");
            yield return new KeyValuePair<string, string>(name, password);
        }
    }
}
