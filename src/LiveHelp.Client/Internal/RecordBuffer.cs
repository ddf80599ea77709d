namespace LiveHelp.Client.Internal;

/// <summary>
/// Collects received bytes and hands out complete records: a frame may hold several records, and a record may span
/// frames. A record handed out is valid until the next <see cref="GetMemory"/>.
/// </summary>
internal sealed class RecordBuffer
{
    private const int InitialSize = 16 * 1024;
    private const int ShrinkAbove = 256 * 1024;

    private byte[] _data = new byte[InitialSize];
    private int _start;
    private int _end;
    private int _scanned;

    /// <summary>Bytes received that do not yet end a record.</summary>
    public int Pending => _end - _start;

    public Memory<byte> GetMemory(int sizeHint = 8 * 1024)
    {
        if (_end == 0 && _data.Length > ShrinkAbove)
        {
            // A large message has been handled; do not keep its buffer for the life of the connection.
            _data = new byte[InitialSize];
        }
        if (_start > 0)
        {
            var length = _end - _start;
            Buffer.BlockCopy(_data, _start, _data, 0, length);
            _scanned -= _start;
            _start = 0;
            _end = length;
        }
        if (_data.Length - _end < sizeHint)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, _end + sizeHint));
        }
        return _data.AsMemory(_end);
    }

    public void Advance(int count) => _end += count;

    public bool TryReadRecord(out ReadOnlyMemory<byte> record)
    {
        var index = Array.IndexOf(_data, HubProtocol.RecordSeparator, _scanned, _end - _scanned);
        if (index < 0)
        {
            _scanned = _end;
            record = default;
            return false;
        }
        record = _data.AsMemory(_start, index - _start);
        _start = index + 1;
        _scanned = _start;
        if (_start == _end)
        {
            _start = _end = _scanned = 0;
        }
        return true;
    }
}
