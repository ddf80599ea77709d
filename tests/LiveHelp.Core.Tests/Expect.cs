namespace LiveHelp.Core.Tests;

internal static class Expect
{
    /// <summary>Asserts the value is there and returns it.</summary>
    public static T Found<T>(T? value)
        where T : class
    {
        Assert.NotNull(value);
        return value;
    }
}
