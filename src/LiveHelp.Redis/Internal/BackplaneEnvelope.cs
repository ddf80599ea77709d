using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveHelp.Redis.Internal;

internal enum GroupAction : byte
{
    Add = 1,
    Remove = 2,
}

internal enum AckStatus : byte
{
    /// <summary>The change is made, or there was nothing to change (the connection had closed meanwhile).</summary>
    Done = 1,

    /// <summary>The owning node could not make the change.</summary>
    Failed = 3,
}

internal abstract record Envelope(Guid Sender);

/// <summary>A hub invocation, already serialized for every protocol the sending node knows.</summary>
internal sealed record InvocationEnvelope(Guid Sender, IReadOnlyList<string> Excluded, SerializedHubMessage Message) : Envelope(Sender);

/// <summary>"Add this connection of yours to (or remove it from) a group, then acknowledge to me".</summary>
internal sealed record GroupCommandEnvelope(Guid Sender, long AckId, GroupAction Action, string GroupName) : Envelope(Sender);

internal sealed record AckEnvelope(Guid Sender, long AckId, AckStatus Status) : Envelope(Sender);

/// <summary>
/// The backplane's binary message format. Every message: a version byte, a kind byte and the 16-byte id of the
/// sending node. Then, by kind — invocation: excluded connection ids, then one (protocol name, bytes) pair per hub
/// protocol; group command: ack id, action, group name; ack: ack id, status. Counts and lengths are 7-bit varints,
/// strings UTF-8, integers little-endian.
/// </summary>
internal static class BackplaneEnvelope
{
    /// <summary>Whether a send that leaves out <paramref name="excluded"/> leaves out this connection (a short list: a loop).</summary>
    public static bool IsExcluded(IReadOnlyList<string>? excluded, string connectionId)
    {
        for (var i = 0; i < (excluded?.Count ?? 0); i++)
        {
            if (string.Equals(excluded![i], connectionId, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private const byte Version = 1;
    private const byte InvocationKind = 1;
    private const byte GroupCommandKind = 2;
    private const byte AckKind = 3;

    /// <summary>
    /// Serializes through <paramref name="message"/>, which caches per protocol, so bytes already written for a local
    /// connection are reused rather than produced again.
    /// </summary>
    public static byte[] Invocation(Guid sender, SerializedHubMessage message, IReadOnlyList<IHubProtocol> protocols, IReadOnlyList<string>? excluded)
    {
        var writer = Start(sender, InvocationKind);
        excluded ??= [];
        WriteCount(writer, excluded.Count);
        foreach (var connectionId in excluded)
        {
            WriteString(writer, connectionId);
        }
        WriteCount(writer, protocols.Count);
        foreach (var protocol in protocols)
        {
            WriteString(writer, protocol.Name);
            WriteBytes(writer, message.GetSerializedMessage(protocol).Span);
        }
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] GroupCommand(Guid sender, long ackId, GroupAction action, string groupName)
    {
        var writer = Start(sender, GroupCommandKind);
        WriteInt64(writer, ackId);
        WriteByte(writer, (byte)action);
        WriteString(writer, groupName);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] Ack(Guid sender, long ackId, AckStatus status)
    {
        var writer = Start(sender, AckKind);
        WriteInt64(writer, ackId);
        WriteByte(writer, (byte)status);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a message; the serialized hub messages are slices of <paramref name="payload"/>, not copies.</summary>
    /// <exception cref="InvalidDataException">The payload is not a backplane message of this version.</exception>
    public static Envelope Read(byte[] payload)
    {
        var reader = new Reader(payload);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException($"Unknown backplane message version {version}.");
        }
        var kind = reader.ReadByte();
        var sender = reader.ReadGuid();
        Envelope envelope = kind switch
        {
            InvocationKind => ReadInvocation(sender, ref reader),
            GroupCommandKind => new GroupCommandEnvelope(sender, reader.ReadInt64(), ReadAction(ref reader), reader.ReadString()),
            AckKind => new AckEnvelope(sender, reader.ReadInt64(), ReadStatus(ref reader)),
            _ => throw new InvalidDataException($"Unknown backplane message kind {kind}."),
        };
        reader.EnsureEnd();
        return envelope;
    }

    private static InvocationEnvelope ReadInvocation(Guid sender, ref Reader reader)
    {
        var excludedCount = reader.ReadCount();
        var excluded = excludedCount == 0 ? [] : new string[excludedCount];
        for (var i = 0; i < excludedCount; i++)
        {
            excluded[i] = reader.ReadString();
        }
        var protocolCount = reader.ReadCount();
        var serialized = new SerializedMessage[protocolCount];
        for (var i = 0; i < protocolCount; i++)
        {
            serialized[i] = new SerializedMessage(reader.ReadString(), reader.ReadBytes());
        }
        return new InvocationEnvelope(sender, excluded, new SerializedHubMessage(serialized));
    }

    private static GroupAction ReadAction(ref Reader reader) => reader.ReadByte() switch
    {
        (byte)GroupAction.Add => GroupAction.Add,
        (byte)GroupAction.Remove => GroupAction.Remove,
        var other => throw new InvalidDataException($"Unknown group action {other}."),
    };

    private static AckStatus ReadStatus(ref Reader reader) => reader.ReadByte() switch
    {
        (byte)AckStatus.Done => AckStatus.Done,
        (byte)AckStatus.Failed => AckStatus.Failed,
        var other => throw new InvalidDataException($"Unknown ack status {other}."),
    };

    private static ArrayBufferWriter<byte> Start(Guid sender, byte kind)
    {
        var writer = new ArrayBufferWriter<byte>(64);
        WriteByte(writer, Version);
        WriteByte(writer, kind);
        sender.TryWriteBytes(writer.GetSpan(16));
        writer.Advance(16);
        return writer;
    }

    private static void WriteByte(ArrayBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> writer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    private static void WriteCount(ArrayBufferWriter<byte> writer, int count)
    {
        var value = (uint)count;
        var span = writer.GetSpan(5);
        var written = 0;
        while (value >= 0x80)
        {
            span[written++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[written++] = (byte)value;
        writer.Advance(written);
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteCount(writer, length);
        Encoding.UTF8.GetBytes(value, writer.GetSpan(length));
        writer.Advance(length);
    }

    private static void WriteBytes(ArrayBufferWriter<byte> writer, ReadOnlySpan<byte> value)
    {
        WriteCount(writer, value.Length);
        writer.Write(value);
    }

    private struct Reader(byte[] payload)
    {
        private int _position;

        public byte ReadByte()
        {
            Need(1);
            return payload[_position++];
        }

        public Guid ReadGuid()
        {
            Need(16);
            var value = new Guid(payload.AsSpan(_position, 16));
            _position += 16;
            return value;
        }

        public long ReadInt64()
        {
            Need(8);
            var value = BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(_position, 8));
            _position += 8;
            return value;
        }

        /// <summary>A count or length; never more than the bytes left, so a corrupt count cannot allocate much.</summary>
        public int ReadCount()
        {
            uint value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var next = ReadByte();
                value |= (uint)(next & 0x7F) << shift;
                if (next < 0x80)
                {
                    if (value > (uint)(payload.Length - _position))
                    {
                        throw new InvalidDataException("A backplane message announces more data than it holds.");
                    }
                    return (int)value;
                }
            }
            throw new InvalidDataException("A backplane message holds a malformed length.");
        }

        public string ReadString()
        {
            var length = ReadCount();
            var value = Encoding.UTF8.GetString(payload, _position, length);
            _position += length;
            return value;
        }

        public ReadOnlyMemory<byte> ReadBytes()
        {
            var length = ReadCount();
            var value = new ReadOnlyMemory<byte>(payload, _position, length);
            _position += length;
            return value;
        }

        public readonly void EnsureEnd()
        {
            if (_position != payload.Length)
            {
                throw new InvalidDataException("A backplane message has trailing bytes.");
            }
        }

        private readonly void Need(int count)
        {
            if (payload.Length - _position < count)
            {
                throw new InvalidDataException("A backplane message is truncated.");
            }
        }
    }
}
