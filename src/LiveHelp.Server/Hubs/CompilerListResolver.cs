using MessagePack;
using MessagePack.Formatters;

namespace LiveHelp.Server.Hubs;

/// <summary>
/// SignalR's MessagePack protocol writes a hub method's result by its runtime type, and a collection expression
/// returned as IReadOnlyList&lt;T&gt; is a compiler-made type no resolver knows (the connection would be aborted).
/// Such hidden enumerable types are written as the arrays they hold; clients read them by the declared type.
/// </summary>
internal sealed class CompilerListResolver : IFormatterResolver
{
    public static readonly CompilerListResolver Instance = new();

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = Create();

        private static IMessagePackFormatter<T>? Create()
        {
            var type = typeof(T);
            if (type.IsVisible)
            {
                return null;
            }
            var enumerable = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
            return enumerable is null
                ? null
                : (IMessagePackFormatter<T>)Activator.CreateInstance(typeof(ArrayFormatter<,>).MakeGenericType(type, enumerable.GetGenericArguments()[0]))!;
        }
    }

    private sealed class ArrayFormatter<TList, TElement> : IMessagePackFormatter<TList>
        where TList : IEnumerable<TElement>
    {
        public void Serialize(ref MessagePackWriter writer, TList value, MessagePackSerializerOptions options) =>
            options.Resolver.GetFormatterWithVerify<TElement[]?>().Serialize(ref writer, value?.ToArray(), options);

        public TList Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            throw new MessagePackSerializationException($"{typeof(TList)} is written only.");
    }
}
