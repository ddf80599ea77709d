using System.Globalization;
using System.Text;

namespace LiveHelp.Benchmarks;

/// <summary>One scenario's part of docs/BENCHMARKS.md: a heading, what was measured, tables and findings.</summary>
internal sealed class Section(string title)
{
    public string Title { get; } = title;

    public List<string> Paragraphs { get; } = [];

    public List<Table> Tables { get; } = [];

    public Section Say(string paragraph)
    {
        Paragraphs.Add(paragraph);
        return this;
    }

    public Table Table(params string[] columns)
    {
        var table = new Table(columns);
        Tables.Add(table);
        return table;
    }

    public void WriteTo(StringBuilder markdown)
    {
        markdown.Append("## ").AppendLine(Title).AppendLine();
        foreach (var table in Tables)
        {
            table.WriteTo(markdown);
            markdown.AppendLine();
        }
        foreach (var paragraph in Paragraphs)
        {
            markdown.AppendLine(paragraph).AppendLine();
        }
    }
}

internal sealed class Table(string[] columns)
{
    private readonly List<string[]> _rows = [];

    public IReadOnlyList<string[]> Rows => _rows;

    public void Row(params object[] cells)
    {
        if (cells.Length != columns.Length)
        {
            throw new ArgumentException($"{cells.Length} cells for {columns.Length} columns");
        }
        _rows.Add([.. cells.Select(Format)]);
    }

    public void WriteTo(StringBuilder markdown)
    {
        markdown.Append("| ").AppendJoin(" | ", columns).AppendLine(" |");
        markdown.Append('|').AppendJoin("", columns.Select(_ => "---|")).AppendLine();
        foreach (var row in _rows)
        {
            markdown.Append("| ").AppendJoin(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).AppendLine(" |");
        }
    }

    private static string Format(object cell) => cell switch
    {
        double d => d.ToString(d >= 100 ? "0" : d >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };
}

/// <summary>The whole report: the machine, the command, then one section per scenario.</summary>
internal static class Report
{
    public const string NotesMarker = "<!-- Below: analysis written by hand; the tool keeps it when it rewrites the tables above. -->";

    public static string Render(string command, IReadOnlyList<Section> sections, TimeSpan took)
    {
        var markdown = new StringBuilder();
        markdown.AppendLine("# Benchmarks").AppendLine();
        markdown.AppendLine("Produced by the benchmark tool in `tests/LiveHelp.Benchmarks`; every figure is set beside a floor or a peer");
        markdown.AppendLine("measured in the same run, as a ratio. The load generator and the servers share this machine, so absolute");
        markdown.AppendLine("numbers are lower than on a dedicated server: read the ratios.").AppendLine();
        markdown.AppendLine("| | |").AppendLine("|---|---|");
        foreach (var (key, value) in Machine.Describe())
        {
            markdown.Append("| ").Append(key).Append(" | ").Append(value).AppendLine(" |");
        }
        markdown.Append("| Command | `").Append(command).AppendLine("` |");
        markdown.Append("| Run took | ").Append(took.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture)).AppendLine(" min |");
        markdown.AppendLine();
        foreach (var section in sections)
        {
            section.WriteTo(markdown);
        }
        return markdown.ToString();
    }
}
