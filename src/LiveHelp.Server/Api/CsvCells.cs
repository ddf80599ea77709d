namespace LiveHelp.Server.Api;

/// <summary>CSV for spreadsheets: cells quoted where needed, and formulas in untrusted text defused.</summary>
internal static class CsvCells
{
    /// <summary>One cell; text a spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading quote mark.</summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
