using LiveHelp.Server.Help;

namespace LiveHelp.Server.Tests;

public sealed class ValidateTests
{
    // Built in code and checked in one fact: lone surrogates do not survive attribute or test-case serialisation.
    [Fact]
    public void Text_every_store_can_keep_exactly()
    {
        Assert.True(Validate.IsStorableText("plain text"));
        Assert.True(Validate.IsStorableText("thumbs " + char.ConvertFromUtf32(0x1F44D) + " up"));
        Assert.False(Validate.IsStorableText("nul " + '\0'));
        Assert.False(Validate.IsStorableText("lone " + (char)0xD800 + " high"));
        Assert.False(Validate.IsStorableText("lone high at the end " + (char)0xD800));
        Assert.False(Validate.IsStorableText("lone " + (char)0xDC00 + " low"));
        Assert.False(Validate.IsStorableText("reversed " + (char)0xDC00 + (char)0xD800 + " pair"));
    }
}
