using LiveHelp.Server.Help;

namespace LiveHelp.Server.Tests;

public sealed class ValidateTests
{
    [Theory]
    [InlineData("plain text", true)]
    [InlineData("thumbs \U0001F44D up", true)]
    [InlineData("nul \0", false)]
    [InlineData("lone \uD800 high", false)]
    [InlineData("lone high at the end \uD800", false)]
    [InlineData("lone \uDC00 low", false)]
    [InlineData("reversed \uDC00\uD800 pair", false)]
    public void Text_every_store_can_keep_exactly(string text, bool storable) => Assert.Equal(storable, Validate.IsStorableText(text));
}
