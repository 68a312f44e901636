namespace FuncAuth.Core.Sessions;

/// <summary>
/// A label a person recognises ("Chrome on Windows") for the User-Agent a session was opened with. A small table of
/// the browser and OS families that matter, not a full parser: the NuGet feed has no maintained parser that is
/// trim- and AOT-safe (they load regex tables at run time). The label is derived when the sessions are listed, so an
/// improved table relabels sessions already stored.
/// </summary>
public static class DeviceLabel
{
    public const string Unknown = "Unknown device";

    // Programs, not browsers: named alone, their platform tells the user nothing.
    private static readonly (string Token, string Name)[] Tools =
    [
        ("curl/", "curl"),
        ("Wget/", "Wget"),
        ("PostmanRuntime/", "Postman"),
        ("python-requests/", "Python"),
        ("okhttp/", "OkHttp"),
    ];

    // Order matters: Edge, Opera and Samsung Internet also say "Chrome/", Chrome also says "Safari/".
    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("Edge/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ];

    // Order matters: iOS says "like Mac OS X", Android and ChromeOS say "Linux".
    private static readonly (string Token, string Name)[] Systems =
    [
        ("Windows", "Windows"),
        ("iPhone", "iOS"),
        ("iPad", "iOS"),
        ("iPod", "iOS"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Macintosh", "macOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];

    /// <summary>The label for <paramref name="userAgent"/>; <see cref="Unknown"/> when it says nothing recognisable.</summary>
    public static string Of(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return Unknown;
        }

        if (Find(Tools, userAgent) is { } tool)
        {
            return tool;
        }

        var browser = Find(Browsers, userAgent);
        var system = Find(Systems, userAgent);
        return (browser, system) switch
        {
            ({ } b, { } s) => $"{b} on {s}",
            ({ } b, null) => b,
            (null, { } s) => $"Unknown browser on {s}",
            _ => Unknown,
        };
    }

    private static string? Find((string Token, string Name)[] table, string userAgent)
    {
        foreach (var (token, name) in table)
        {
            if (userAgent.Contains(token, StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }
}
