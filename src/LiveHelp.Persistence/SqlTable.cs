namespace LiveHelp.Persistence;

/// <summary>The columns of one table, from which the select, insert and update statements are built.</summary>
internal sealed class SqlTable
{
    private readonly IReadOnlyList<string> columns;

    public SqlTable(string name, string key, IReadOnlyList<string> columns)
    {
        Name = name;
        Key = key;
        this.columns = columns;
        ColumnList = string.Join(", ", columns);
        Select = $"SELECT {ColumnList} FROM {name}";
    }

    public string Name { get; }

    public string Key { get; }

    /// <summary>All columns, comma separated, in declaration order.</summary>
    public string ColumnList { get; }

    /// <summary><c>SELECT all columns FROM table</c>, to be followed by a WHERE or ORDER BY clause.</summary>
    public string Select { get; }

    /// <summary>An INSERT of every column, each from the parameter of the same name unless <paramref name="valueOf"/> says otherwise.</summary>
    public string Insert(Func<string, string?>? valueOf = null) => $"INSERT INTO {Name} ({ColumnList}) VALUES ({Values(valueOf)})";

    /// <summary>A value for every column, comma separated: the parameter of the same name unless <paramref name="valueOf"/> says otherwise.</summary>
    public string Values(Func<string, string?>? valueOf = null) =>
        string.Join(", ", columns.Select(c => valueOf?.Invoke(c) ?? "@" + c));

    /// <summary>
    /// The SET list of an UPDATE: every column but the key, each from the parameter of the same name unless
    /// <paramref name="valueOf"/> says otherwise.
    /// </summary>
    public string Assignments(Func<string, string?>? valueOf = null) =>
        string.Join(", ", columns.Where(c => c != Key).Select(c => $"{c} = {valueOf?.Invoke(c) ?? "@" + c}"));
}
