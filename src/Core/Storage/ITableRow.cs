using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>
/// A stored row that maps itself to and from the SDK's <see cref="TableEntity"/> in plain code. The SDK's own mapping
/// of typed entities finds their properties by reflection, which trimming removes from a Native AOT executable; this
/// one is written out, checked by the compiler, and costs no reflection per call.
/// </summary>
internal interface ITableRow<TSelf> : ITableEntity
    where TSelf : class, ITableRow<TSelf>
{
    static abstract TSelf Read(TableEntity entity);

    /// <summary>The row as the SDK writes it: keys, ETag and every column that has a value.</summary>
    TableEntity Write();
}
